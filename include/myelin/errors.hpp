#pragma once

#include <stdexcept>
#include <string>

namespace myelin {

// Process exit codes: a contract with scripts and job launchers.
// README "Exit codes" documents each one.
enum class ExitCode : int {
  ok = 0,
  internal = 1,
  bad_input = 2,
  numerical = 3,
  stopped = 4,        // SIGTERM, SIGINT or SIGUSR1: stopped at an epoch boundary, file closed
  io_error = 5,       // the output could not be written (full disk, quota, vanished directory)
  out_of_memory = 6,  // an allocation failed (std::bad_alloc)
  communication = 7,  // an MPI call failed (a rank or the network went away)
};

// Bad configuration, command line or input file. The message names key, value and reason,
// e.g. `population.exc.tau_m = -5: must be > 0 [ms]`.
class InputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Helper that formats the canonical "key = value: reason" message.
InputError input_error(const std::string& key, const std::string& value, const std::string& reason);

// A state variable became non-finite or ran away. Raised identically on every rank.
class NumericalError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Writing or renaming a result file failed in the operating system: the message names the file
// and the OS reason, e.g. `cannot write out.h5: No space left on device`.
class IoError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The run was asked to stop (a signal); raised identically on every rank after the same epoch.
class StopRequested : public std::runtime_error {
 public:
  StopRequested(const std::string& reason, int signal)
      : std::runtime_error(reason), signal_(signal) {}
  int signal() const { return signal_; }

 private:
  int signal_;
};

// An MPI call returned an error: the message names the call and MPI's reason,
// e.g. `MPI_Allreduce failed: MPI_ERR_TRUNCATE: message truncated`.
class MpiError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// An allocation failed while doing `phase`: `out of memory while building the network`.
class OutOfMemory : public std::runtime_error {
 public:
  explicit OutOfMemory(const std::string& phase)
      : std::runtime_error("out of memory while " + phase) {}
};

}  // namespace myelin
