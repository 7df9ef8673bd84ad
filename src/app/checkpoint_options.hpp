#pragma once

// The checkpoint flags of `myelin run` and `myelin resume`, turned into a CheckpointSetup.

#include <optional>
#include <string>

#include "app/simulate_run.hpp"
#include "comm/communicator.hpp"
#include "config/config.hpp"

namespace myelin {

struct CheckpointOptions {
  std::optional<double> every_ms;  // --checkpoint-every T_ms
  std::string path;                // --checkpoint FILE ("" : the default)
  bool quiet = false;
};

// OUTPUT.ckpt.h5 (a trailing .h5 of OUTPUT replaced).
std::string default_checkpoint_path(const std::string& output);

// Checks the flags (InputError naming the flag) and that the file can be created. `enabled`:
// write checkpoints even without flags (resume keeps its chain going). Collective.
CheckpointSetup checkpoint_setup(const CheckpointOptions& options, const Config& config,
                                 bool enabled, const std::string& default_path, Communicator& comm);

}  // namespace myelin
