#pragma once

#include <cstdint>
#include <span>

#include "network/local_network.hpp"
#include "synapse/ring_buffer.hpp"

namespace myelin {

// Adds the weight of every synapse of `synapses` whose source fired to the ring slot of its
// arrival step. `spikes` is the epoch's global list sorted by (step, gid), identical on every
// rank, so each target receives its inputs in the same order for any split. Returns the
// number of synaptic events delivered.
inline std::uint64_t deliver(std::span<const Spike> spikes, const ThreadSynapses& synapses,
                             RingBuffer& ring) {
  std::uint64_t events = 0;
  for (const Spike& spike : spikes) {
    const std::uint64_t begin = synapses.row_begin[spike.gid];
    const std::uint64_t end = synapses.row_begin[spike.gid + 1];
    for (std::uint64_t j = begin; j < end; ++j)
      ring.add(spike.step + synapses.delay[j], synapses.target[j], synapses.weight[j]);
    events += end - begin;
  }
  return events;
}

}  // namespace myelin
