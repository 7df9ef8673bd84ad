#pragma once

// The ring-slot entries one thread's deliveries wrote, slot by slot, so that after a step's
// update the thread zeroes just those entries instead of its whole share of the slot.
//
// Synaptic input is sparse: in CUBA a step brings about 170 events to 8000 input channels, so
// clearing the slot densely (a store per channel, which also dirties every line of the slot)
// costs far more than the events themselves. A slot whose list would grow past `limit` stops
// recording and is cleared densely instead, so the cost is never worse than dense clearing and
// the lists stay small. The entries are recorded per run of a row, a copy of the run's target
// indices, not per event.

#include <algorithm>
#include <cstdint>
#include <span>
#include <vector>

#include "myelin/types.hpp"

namespace myelin {

class TouchedChannels {
 public:
  TouchedChannels() = default;
  // `slots`: the ring's slot count (a power of two); `limit`: the most entries a slot lists
  // before it falls back to dense clearing.
  TouchedChannels(Step slots, std::size_t limit)
      : mask_(slots - 1),
        limit_(limit),
        lists_(static_cast<std::size_t>(slots)),
        dense_(static_cast<std::size_t>(slots), false) {}

  // The targets of one run delivered into the slot of `step`.
  void note(Step step, std::span<const std::uint32_t> channels) {
    const auto s = static_cast<std::size_t>(step & mask_);
    if (dense_[s]) return;
    std::vector<std::uint32_t>& list = lists_[s];
    if (list.size() + channels.size() > limit_) {
      dense_[s] = true;
      list.clear();
      return;
    }
    list.insert(list.end(), channels.begin(), channels.end());
  }

  // Something wrote the slot of `step` without noting where (external input, plasticity, a
  // restored checkpoint): it is cleared densely.
  void mark_dense(Step step) {
    const auto s = static_cast<std::size_t>(step & mask_);
    dense_[s] = true;
    lists_[s].clear();
  }
  void mark_all_dense() {
    for (Step s = 0; s <= mask_; ++s) mark_dense(s);
  }

  bool dense(Step step) const { return dense_[static_cast<std::size_t>(step & mask_)]; }

  // Zeroes the listed entries of `slot` (the ring slot of `step`) and forgets them. A dense
  // slot's entries are the caller's to clear; it is forgotten too.
  void clear(Step step, std::span<double> slot) {
    const auto s = static_cast<std::size_t>(step & mask_);
    for (const std::uint32_t c : lists_[s]) slot[c] = 0.0;
    lists_[s].clear();
    dense_[s] = false;
  }

 private:
  Step mask_ = 0;
  std::size_t limit_ = 0;
  std::vector<std::vector<std::uint32_t>> lists_;  // [slot] channels, repeats allowed
  std::vector<bool> dense_;                        // [slot]
};

}  // namespace myelin
