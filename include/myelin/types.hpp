#pragma once

#include <cstdint>

namespace myelin {

// Global neuron id. Populations occupy consecutive gid ranges in the order of their names.
using Gid = std::uint32_t;

// Simulated time as a whole number of steps of dt; milliseconds appear only at I/O.
using Step = std::int64_t;

// A spike emitted in step `step` (covering the interval (step*dt, (step+1)*dt]).
struct Spike {
  Step step;
  Gid gid;

  friend bool operator==(const Spike&, const Spike&) = default;
  friend bool operator<(const Spike& a, const Spike& b) {
    return a.step != b.step ? a.step < b.step : a.gid < b.gid;
  }
};

}  // namespace myelin
