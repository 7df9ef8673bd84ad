#pragma once

// The postsynaptic spikes of one target that some incoming plastic synapse has not read yet, and
// the newest one every synapse has read (a synapse depresses with the trace of the last spike it
// read). The postsynaptic trace just after each spike is kept here once per kernel instead of in
// every synapse: it depends on the target's spikes alone. Pure data; no MPI/OpenMP.
//
// Each spike is one record of 2 + kernels words, [step][readers][y per kernel], in a ring whose
// capacity is a power of two: a synapse that reads a spike needs its step, its reader count and
// its trace, and a record puts them in one cache line (three arrays cost three misses per event
// on a random target). The header is 32 bytes and 32-byte aligned, so reading it touches one
// line; a ring never moves its records when it forgets, only when it grows.

#include <bit>
#include <cstdint>
#include <memory>
#include <span>

#include "myelin/types.hpp"

namespace myelin {

class alignas(32) PostHistory {
 public:
  explicit PostHistory(std::size_t kernels = 1)
      : stride_(static_cast<std::uint32_t>(2 + kernels)) {}

  // Sequence number of the oldest spike kept (spikes are numbered from 0 in order).
  std::uint64_t first() const { return first_; }
  std::size_t size() const { return count_; }
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
    first_ = first;
    count_ = 0;
    for (std::size_t k = 0; k < steps.size(); ++k) {
      push(steps[k], y.subspan(k * kernels, kernels));
      words_[at(k) + 1] = readers[k];
    }
  }

  // Hints the cache about the records a synapse reads: the oldest and the newest (a history
  // holds a few spikes, so these two lines cover it most of the time).
  void prefetch() const {
    if (count_ == 0) return;
    __builtin_prefetch(words_.get() + at(0), 1);
    __builtin_prefetch(words_.get() + at(count_ - 1), 1);
  }

 private:
  static constexpr std::uint32_t initial_capacity = 8;  // records; a target keeps 2-7 typically

  std::size_t at(std::size_t k) const {
    return static_cast<std::size_t>((first_ + k) & (capacity_ - 1)) * stride_;
  }

  void push(Step step, std::span<const double> y) {
    if (count_ == capacity_) grow();
    std::uint64_t* record = words_.get() + at(count_);
    record[0] = std::bit_cast<std::uint64_t>(step);
    record[1] = 0;
    for (std::size_t r = 0; r < y.size(); ++r) record[2 + r] = std::bit_cast<std::uint64_t>(y[r]);
    ++count_;
  }

  // Twice the capacity; each record moves to its place in the larger ring.
  void grow() {
    const std::uint32_t capacity = capacity_ == 0 ? initial_capacity : 2 * capacity_;
    auto words = std::make_unique<std::uint64_t[]>(std::size_t{capacity} * stride_);
    for (std::size_t k = 0; k < count_; ++k) {
      const std::uint64_t* from = words_.get() + at(k);
      std::uint64_t* to =
          words.get() + static_cast<std::size_t>((first_ + k) & (capacity - 1)) * stride_;
      for (std::uint32_t w = 0; w < stride_; ++w) to[w] = from[w];
    }
    words_ = std::move(words);
    capacity_ = capacity;
  }

  // Drops the oldest spike while it and the next one are read by every synapse (`readers`); the
  // newest read spike stays, for its trace.
  void forget(std::uint64_t readers) {
    while (count_ >= 2 && this->readers(0) == readers && this->readers(1) == readers) {
      ++first_;
      --count_;
    }
  }

  std::unique_ptr<std::uint64_t[]> words_;  // capacity_ records of stride_ words
  std::uint64_t first_ = 0;                 // sequence number of the oldest record kept
  std::uint32_t count_ = 0;                 // records kept
  std::uint32_t capacity_ = 0;              // a power of two (0: nothing allocated yet)
  std::uint32_t stride_;                    // words per record: step, readers, one trace per kernel
};

static_assert(sizeof(PostHistory) == 32);

}  // namespace myelin
