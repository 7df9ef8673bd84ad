#pragma once

// The identity of a run's config for checkpoints: a hash of the config text, the --set
// overrides (except simulation.t_stop, which a resumed run may change) and the Myelin version.
// A checkpoint carries it; a resume and an --append compare it.

#include <cinttypes>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "core/hash.hpp"

namespace myelin {

inline bool sets_t_stop(std::string_view override_text) {
  const auto eq = override_text.find('=');
  std::string_view key = override_text.substr(0, eq);
  while (!key.empty() && (key.back() == ' ' || key.back() == '\t')) key.remove_suffix(1);
  while (!key.empty() && (key.front() == ' ' || key.front() == '\t')) key.remove_prefix(1);
  return key == "simulation.t_stop";
}

inline std::string config_hash(std::string_view text, const std::vector<std::string>& overrides,
                               std::string_view version) {
  std::uint64_t h = fnv1a64(version);
  h = fnv1a64(std::string_view("\0", 1), h);
  h = fnv1a64(text, h);
  for (const std::string& o : overrides) {
    if (sets_t_stop(o)) continue;
    h = fnv1a64(std::string_view("\0", 1), h);
    h = fnv1a64(o, h);
  }
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016" PRIx64, h);
  return hex;
}

}  // namespace myelin
