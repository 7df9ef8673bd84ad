#pragma once

// The postsynaptic spikes of one target that some incoming plastic synapse has not read yet, and
// the newest one every synapse has read (a synapse depresses with the trace of the last spike it
// read). The postsynaptic trace just after each spike is kept here once per kernel instead of in
// every synapse: it depends on the target's spikes alone. Pure data; no MPI/OpenMP.
//
// Each spike is one record of 2 + kernels words, [step][readers][y per kernel], in one array:
// a synapse that reads a spike needs its step, its reader count and its trace, and a record puts
// them in one cache line (three arrays cost three misses per event on a random target).

#include <bit>
#include <cstdint>
#include <span>
#include <vector>

#include "myelin/types.hpp"

namespace myelin {

class PostHistory {
 public:
  explicit PostHistory(std::size_t kernels = 1) : stride_(2 + kernels) {}

  // Sequence number of the oldest spike kept (spikes are numbered from 0 in order).
  std::uint64_t first() const { return first_; }
  std::size_t size() const { return words_.size() / stride_ - head_; }
  // Spike k of those kept, oldest first (k < size()).
  Step step(std::size_t k) const { return std::bit_cast<Step>(words_[at(k)]); }
  std::uint64_t readers(std::size_t k) const { return words_[at(k) + 1]; }
  double y(std::size_t k, std::size_t kernel) const {
    return std::bit_cast<double>(words_[at(k) + 2 + kernel]);
  }
  void count_reader(std::size_t k) { ++words_[at(k) + 1]; }

  // A new spike with the traces of every kernel just after it; no synapse has read it. First
  // forgets what all `readers` synapses have read: doing it here, once per postsynaptic spike,
  // keeps the oldest records out of the cache lines each presynaptic event touches.
  void append(Step step, std::span<const double> y, std::uint64_t readers) {
    forget(readers);
    push(step, y);
  }

  // From a checkpoint: the spikes kept, numbered from `first`, with their readers and traces
  // ([spike][kernel]).
  void restore(std::uint64_t first, std::span<const Step> steps,
               std::span<const std::uint64_t> readers, std::span<const double> y) {
    const std::size_t kernels = stride_ - 2;
    words_.clear();
    head_ = 0;
    first_ = first;
    for (std::size_t k = 0; k < steps.size(); ++k) {
      push(steps[k], y.subspan(k * kernels, kernels));
      words_[at(k) + 1] = readers[k];
    }
  }

  // Hints the cache about the records a synapse reads: the oldest and the newest (a history
  // holds a few spikes, so these two lines cover it most of the time).
  void prefetch() const {
    if (words_.empty()) return;
    __builtin_prefetch(words_.data() + at(0), 1);
    __builtin_prefetch(words_.data() + words_.size() - stride_, 1);
  }

 private:
  std::size_t at(std::size_t k) const { return (head_ + k) * stride_; }

  void push(Step step, std::span<const double> y) {
    words_.push_back(std::bit_cast<std::uint64_t>(step));
    words_.push_back(0);
    for (const double v : y) words_.push_back(std::bit_cast<std::uint64_t>(v));
  }

  // Drops the oldest spike while it and the next one are read by every synapse (`readers`); the
  // newest read spike stays, for its trace. Forgotten records are erased in bulk once they are
  // half of the array.
  void forget(std::uint64_t readers) {
    while (size() >= 2 && this->readers(0) == readers && this->readers(1) == readers) {
      ++head_;
      ++first_;
    }
    if (head_ >= 4 && 2 * head_ * stride_ >= words_.size()) {
      words_.erase(words_.begin(), words_.begin() + static_cast<std::ptrdiff_t>(head_ * stride_));
      head_ = 0;
    }
  }

  std::vector<std::uint64_t> words_;
  std::size_t head_ = 0;     // records before it are forgotten
  std::uint64_t first_ = 0;  // sequence number of the record at head_
  std::size_t stride_;       // words per record: step, readers, one trace per kernel
};

}  // namespace myelin
