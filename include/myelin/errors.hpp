#pragma once

#include <stdexcept>
#include <string>

namespace myelin {

// Process exit codes: a contract with scripts and job launchers.
enum class ExitCode : int { ok = 0, internal = 1, bad_input = 2, numerical = 3 };

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

}  // namespace myelin
