#pragma once

// The dynamic state of a population, exposed by name as structure-of-arrays over its local
// neurons (ascending gid), so that a checkpoint can save and restore it without knowing the
// model. Constants (parameters, propagators) are not state: they are rebuilt from the config.

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace myelin {

struct StateArray {
  std::string name;
  std::span<double> real;            // float64 state, or
  std::span<std::uint64_t> counter;  // integer state (when is_counter)
  bool is_counter = false;
};

inline StateArray real_state(std::string name, std::vector<double>& values) {
  return {std::move(name), values, {}, false};
}
inline StateArray counter_state(std::string name, std::vector<std::uint64_t>& values) {
  return {std::move(name), {}, values, true};
}

}  // namespace myelin
