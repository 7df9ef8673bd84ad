#pragma once

#include <optional>
#include <string>
#include <vector>

#include "app/checkpoint_options.hpp"
#include "comm/communicator.hpp"
#include "myelin/errors.hpp"

namespace myelin {

struct RunOptions {
  std::string config_path;
  std::vector<std::string> overrides;
  std::string output;         // -o: replaces output.file when set
  bool output_given = false;  // -o was on the command line (so -o '' is an error, not absent)
  int threads = 0;            // --threads: 0 = config, then OMP_NUM_THREADS
  bool quiet = false;
  std::string summary_json;       // --summary-json FILE
  CheckpointOptions checkpoints;  // --checkpoint-every, --checkpoint
  int dry_run_ranks = 0;          // --dry-run-ranks R: play rank 0 of R ranks (0: a real run)
};

struct ResumeOptions {
  std::string checkpoint;  // CHECKPOINT
  std::string output;      // -o (default: the original output's name + .from<T>ms.h5)
  bool output_given = false;
  std::optional<double> t_stop;  // --t-stop: extends or shortens the run
  int threads = 0;
  bool quiet = false;
  CheckpointOptions checkpoints;  // default: on stop and at the end, over CHECKPOINT
  std::string summary_json;       // --summary-json FILE
  bool append = false;            // --append: continue the checkpoint's result file (not -o)
};

struct SweepOptions {
  RunOptions run;                 // config, --set, -o, --threads, --quiet
  std::vector<std::string> vary;  // --vary KEY=v1,v2,...
  std::optional<int> seeds;       // --seeds N
  std::optional<int> ranks_per_run;
  bool keep_parts = false;  // keep the per-run part files next to the output
};

// Each command runs on every rank and returns the process exit code, the same on every rank.
// Errors are printed once (by rank 0), in the form `myelin: error: <message>`.
ExitCode run_command(const RunOptions& options, Communicator& comm);
ExitCode validate_command(const RunOptions& options, Communicator& comm);
ExitCode sweep_command(const SweepOptions& options, Communicator& comm);
ExitCode resume_command(const ResumeOptions& options, Communicator& comm);
ExitCode info_command(const std::string& path, Communicator& comm);

}  // namespace myelin
