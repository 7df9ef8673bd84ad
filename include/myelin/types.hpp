#pragma once

#include <cstdint>

namespace myelin {

// Global neuron id. Populations occupy consecutive gid ranges in the order of their names.
using Gid = std::uint32_t;

// Simulated time as a whole number of steps of dt; milliseconds appear only at I/O.
using Step = std::int64_t;

// A spike emitted in step `step` (covering the interval (step*dt, (step+1)*dt]), at
// (step + offset) * dt. Delivery uses the step; `offset` (in (0, 1], 1 = end of step) only
// places the recorded time, so models that locate the threshold crossing inside the step report
// it. It fills the padding after `gid`, so a Spike stays 16 bytes.
struct Spike {
  Step step;
  Gid gid;
  float offset = 1.0F;

  friend bool operator==(const Spike&, const Spike&) = default;
  // Ordered by (step, gid): the delivery order. `offset` does not take part.
  friend bool operator<(const Spike& a, const Spike& b) {
    return a.step != b.step ? a.step < b.step : a.gid < b.gid;
  }
};

// Offsets travel as 16-bit fractions of a step (dt / 65535: 1.5e-6 ms at dt = 0.1 ms), and
// epochs are at most 65535 steps long, so a spike packs into 8 bytes on the wire.
inline constexpr float offset_quantum = 65535.0F;
inline constexpr std::int64_t max_epoch_steps = 65535;

// The offset as every rank will see it after the exchange: quantised the same way on every
// path (local or MPI), so recorded times do not depend on the split.
inline float quantise_offset(float offset) {
  const auto q = static_cast<std::uint32_t>(offset * offset_quantum + 0.5F);
  return static_cast<float>(q > 65535u ? 65535u : q) / offset_quantum;
}

}  // namespace myelin
