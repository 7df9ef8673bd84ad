#pragma once

// When and where a run writes checkpoints (sim/simulation_state.cpp writes them).

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "myelin/types.hpp"
#include "sim/state_store.hpp"

namespace myelin {

struct CheckpointWritten {
  std::string path;
  double t_ms = 0.0;        // simulated time the checkpoint continues from
  std::uint64_t bytes = 0;  // size of the file
  double seconds = 0.0;     // wall time of writing it (slowest rank)
};

struct CheckpointPlan {
  std::string path;  // empty: no checkpoints
  // [steps] a checkpoint at the first epoch boundary at or after every multiple; 0: only on
  // a stop signal and at the end of the run.
  Step every = 0;
  std::string result_file;  // the output this run writes (recorded in the checkpoint)
  std::function<void(const CheckpointWritten&)> on_written;  // every rank, after each one
  // Collective: a new checkpoint at `path` (the caller's format: io/checkpoint_file.hpp).
  std::function<std::unique_ptr<StateWriter>(const std::string& path)> open_writer;

  bool enabled() const { return !path.empty(); }
};

}  // namespace myelin
