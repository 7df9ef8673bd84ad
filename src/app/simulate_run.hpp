#pragma once

// One simulation from a checked config to a complete result file: shared by `myelin run` and
// each run of `myelin sweep` (which calls it on a group's communicator).

#include <string>

#include "app/launch_environment.hpp"
#include "comm/communicator.hpp"
#include "config/config.hpp"
#include "myelin/errors.hpp"
#include "sim/simulation.hpp"

namespace myelin {

struct RunOutcome {
  ExitCode code = ExitCode::ok;
  std::string error;  // agreed message when code != ok (identical on every rank)
  RunSummary summary;
};

// Writes `config.output.file`. On a numerical blow-up the file is left with complete = 0 and
// the outcome says why; `on_finished` (rank 0 of `comm`, success only) prints summaries.
using FinishedFn = std::function<void(const RunSummary&, const Simulation&)>;

// Checkpoints to write, and for `myelin resume` the state to start from (app/resume_command.cpp).
struct CheckpointSetup {
  CheckpointPlan plan;
  // Collective, after the network is built: restores the state (throws InputError to refuse).
  std::function<void(Simulation&)> restore;
  std::string resumed_from;  // the checkpoint's path
  // `resume --append`: the existing result file to continue ("" writes a new file). Rank 0
  // renames it to the output's `.partial` (unless it is that file already) once the state is
  // restored; it is then cut back to `append_at_ms` and committed like a new file at the end.
  std::string append_from;
  double append_at_ms = 0.0;
};

RunOutcome simulate_to_file(const Config& config, Communicator& comm, int threads,
                            const LaunchEnvironment& launch, const ProgressFn& progress,
                            const FinishedFn& on_finished, const CheckpointSetup& checkpoints = {});

}  // namespace myelin
