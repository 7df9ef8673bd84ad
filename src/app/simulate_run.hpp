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
RunOutcome simulate_to_file(const Config& config, Communicator& comm, int threads,
                            const LaunchEnvironment& launch, const ProgressFn& progress,
                            const FinishedFn& on_finished);

}  // namespace myelin
