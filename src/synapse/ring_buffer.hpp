#pragma once

// Inputs waiting for their arrival step: one slot of n_neurons values per step, reused
// cyclically. Slot-major, so the update of one step reads one contiguous row.

#include <bit>
#include <cstdint>
#include <span>
#include <vector>

#include "myelin/types.hpp"

namespace myelin {

class RingBuffer {
 public:
  // `horizon`: the furthest ahead of the oldest unread step a write may land (max delay plus
  // one epoch is always enough).
  RingBuffer(std::uint32_t n_neurons, Step horizon)
      : n_(n_neurons),
        mask_(static_cast<Step>(std::bit_ceil(static_cast<std::uint64_t>(horizon))) - 1),
        data_(static_cast<std::size_t>(mask_ + 1) * n_neurons, 0.0) {}

  std::span<double> slot(Step step) {
    return {data_.data() + static_cast<std::size_t>(step & mask_) * n_, n_};
  }
  void add(Step step, std::uint32_t neuron, double value) {
    data_[static_cast<std::size_t>(step & mask_) * n_ + neuron] += value;
  }
  Step slots() const { return mask_ + 1; }

 private:
  std::uint32_t n_;
  Step mask_;
  std::vector<double> data_;
};

}  // namespace myelin
