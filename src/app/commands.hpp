#pragma once

#include <string>
#include <vector>

#include "comm/communicator.hpp"
#include "myelin/errors.hpp"

namespace myelin {

struct RunOptions {
  std::string config_path;
  std::vector<std::string> overrides;
  std::string output;  // -o: replaces output.file when set
  int threads = 0;     // --threads: 0 = config, then OMP_NUM_THREADS
  bool quiet = false;
  std::string summary_json;  // --summary-json FILE
};

// Each command runs on every rank and returns the process exit code, the same on every rank.
// Errors are printed once (by rank 0), in the form `myelin: error: <message>`.
ExitCode run_command(const RunOptions& options, Communicator& comm);
ExitCode validate_command(const RunOptions& options, Communicator& comm);
ExitCode info_command(const std::string& path, Communicator& comm);

}  // namespace myelin
