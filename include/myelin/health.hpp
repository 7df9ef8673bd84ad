#pragma once

// The status of an epoch that every rank must agree on: the first numerical failure a thread
// saw (which neuron, when, what, its value) and any stop request. Models report it; the spike
// exchange carries and merges it; neither knows the other.
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
  // A stop request (the signal number, 0 = none): not a failure; agreed with the health so
  // that every rank stops after the same epoch. The largest number wins, on every rank.
  int stop_signal = 0;
  // This rank's last collective flush is older than output.flush_min_wall: the next periodic
  // flush point flushes. Any rank's wish counts, so every rank decides alike.
  bool flush_wanted = false;

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
    const int stop = stop_signal > other.stop_signal ? stop_signal : other.stop_signal;
    const bool flush = flush_wanted || other.flush_wanted;
    if (other.failed && (!failed || other.step < step || (other.step == step && other.gid < gid)))
      *this = other;
    stop_signal = stop;
    flush_wanted = flush;
  }
};

}  // namespace myelin
