#pragma once

#include <algorithm>
#include <cstdint>
#include <span>

#include "network/local_network.hpp"
#include "synapse/ring_buffer.hpp"
#include "synapse/touched_channels.hpp"

namespace myelin {

// Adds the weight of every synapse of `synapses` whose source fired to the ring slot of its
// arrival step. `spikes` is the epoch's list sorted by (step, gid), the same order on every
// rank, so each target receives its inputs in the same order for any split. Sources without
// targets here cost one bit test. Returns the number of synaptic events delivered.
//
// Spikes go in blocks: first every row of the block is looked up (independent loads the core
// overlaps) and the start of its targets and weights prefetched, then the block is delivered
// in order. One spike's row is a random access into tables far larger than the caches, so
// without the look-ahead each spike would wait for its own misses one after another.
// With `touched`, the entries written are noted there, slot by slot, for the sparse clear.
inline std::uint64_t deliver(std::span<const Spike> spikes, const SourceIndex& sources,
                             const ThreadSynapses& synapses, RingBuffer& ring,
                             TouchedChannels* touched) {
  constexpr std::size_t block = 16;
  constexpr std::uint32_t prefetch_lines = 4;  // per array: the hardware streams the rest
  struct Row {
    Step step;
    std::uint32_t first_run, last_run, first_synapse;
  };
  std::uint64_t events = 0;
  const std::uint32_t* target = synapses.target.data();
  const double* weight = synapses.weight.data();
  const std::uint32_t* row_run = synapses.row_run.data();
  const std::uint32_t* run_end = synapses.run_end.data();
  Row rows[block];
  for (std::size_t base = 0; base < spikes.size(); base += block) {
    const std::size_t stop = std::min(spikes.size(), base + block);
    std::size_t n = 0;
    for (std::size_t i = base; i < stop; ++i) {
      const Spike& spike = spikes[i];
      if (!sources.contains(spike.gid)) continue;
      const std::uint32_t row = sources.row(spike.gid);
      const std::uint32_t first_run = row_run[row];
      const std::uint32_t last_run = row_run[row + 1];
      if (first_run == last_run) continue;
      const std::uint32_t j = first_run == 0 ? 0 : run_end[first_run - 1];
      const std::uint32_t end = run_end[last_run - 1];
      for (std::uint32_t line = 0; line < prefetch_lines; ++line) {
        if (j + line * 16 < end) __builtin_prefetch(target + j + line * 16);
        if (j + line * 8 < end) __builtin_prefetch(weight + j + line * 8);
      }
      rows[n++] = {spike.step, first_run, last_run, j};
    }
    for (std::size_t k = 0; k < n; ++k) {
      const Row& r = rows[k];
      std::uint32_t j = r.first_synapse;
      for (std::uint32_t run = r.first_run; run < r.last_run; ++run) {
        const Step arrival = r.step + synapses.run_delay[run];
        const std::span<double> slot = ring.slot(arrival);
        const std::uint32_t end = run_end[run];
        if (touched != nullptr) touched->note(arrival, {target + j, end - j});
        events += end - j;
        for (; j < end; ++j) slot[target[j]] += weight[j];
      }
    }
  }
  return events;
}

inline std::uint64_t deliver(std::span<const Spike> spikes, const SourceIndex& sources,
                             const ThreadSynapses& synapses, RingBuffer& ring) {
  return deliver(spikes, sources, synapses, ring, nullptr);
}

}  // namespace myelin
