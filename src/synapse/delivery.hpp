#pragma once

#include <cstdint>
#include <span>

#include "network/local_network.hpp"
#include "synapse/ring_buffer.hpp"

namespace myelin {

// Adds the weight of every synapse of `synapses` whose source fired to the ring slot of its
// arrival step. `spikes` is the epoch's list sorted by (step, gid), the same order on every
// rank, so each target receives its inputs in the same order for any split. Sources without
// targets here cost one bit test. Returns the number of synaptic events delivered.
inline std::uint64_t deliver(std::span<const Spike> spikes, const SourceIndex& sources,
                             const ThreadSynapses& synapses, RingBuffer& ring) {
  std::uint64_t events = 0;
  const std::uint32_t* target = synapses.target.data();
  const double* weight = synapses.weight.data();
  for (const Spike& spike : spikes) {
    if (!sources.contains(spike.gid)) continue;
    const std::uint32_t row = sources.row(spike.gid);
    const std::uint32_t first_run = synapses.row_run[row];
    const std::uint32_t last_run = synapses.row_run[row + 1];
    std::uint32_t j = first_run == 0 ? 0 : synapses.run_end[first_run - 1];
    for (std::uint32_t run = first_run; run < last_run; ++run) {
      const std::span<double> slot = ring.slot(spike.step + synapses.run_delay[run]);
      const std::uint32_t end = synapses.run_end[run];
      events += end - j;
      for (; j < end; ++j) slot[target[j]] += weight[j];
    }
  }
  return events;
}

}  // namespace myelin
