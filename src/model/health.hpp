#pragma once

// The first numerical failure a thread saw: which neuron, when, what, and its value.
// Merged across threads and ranks by the earliest (step, gid), so every split reports the same.

#include <cstdint>
#include <string_view>

#include "myelin/types.hpp"

namespace myelin {

struct Health {
  bool failed = false;
  Step step = 0;
  Gid gid = 0;
  std::uint32_t variable = 0;  // index into the model's recordable variables
  std::uint32_t population = 0;
  double value = 0.0;

  void report(Step s, Gid g, std::uint32_t var, double v) {
    if (!failed || s < step || (s == step && g < gid)) {
      failed = true;
      step = s;
      gid = g;
      variable = var;
      value = v;
    }
  }
  void merge(const Health& other) {
    if (other.failed && (!failed || other.step < step || (other.step == step && other.gid < gid)))
      *this = other;
  }
};

}  // namespace myelin
