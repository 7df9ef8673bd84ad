#pragma once

// "Does this spike's source reach any neuron here, and which row of the synapse tables is it?"
// One bit per neuron of the whole network plus a 32-bit running count per 512 neurons (1.06
// bits per neuron): the only per-rank structure sized by the global neuron count. Rows are
// numbered in ascending gid order of the sources that have local targets.

#include <bit>
#include <cstdint>
#include <vector>

#include "myelin/types.hpp"

namespace myelin {

class SourceIndex {
 public:
  SourceIndex() = default;
  explicit SourceIndex(std::uint64_t n_global) : bits_((n_global + 63) / 64, 0) {}

  // Construction: mark every source with a local target, then finalise once.
  void mark(Gid g) { bits_[g >> 6] |= std::uint64_t{1} << (g & 63); }
  void finalise() {
    block_count_.assign(bits_.size() / words_per_block + 2, 0);
    std::uint32_t running = 0;
    for (std::size_t w = 0; w < bits_.size(); ++w) {
      if (w % words_per_block == 0) block_count_[w / words_per_block] = running;
      running += static_cast<std::uint32_t>(std::popcount(bits_[w]));
    }
    block_count_[(bits_.size() + words_per_block - 1) / words_per_block] = running;
    rows_ = running;
  }

  bool contains(Gid g) const { return (bits_[g >> 6] >> (g & 63)) & 1U; }
  // Row of a source that contains() says is here.
  std::uint32_t row(Gid g) const {
    const std::size_t word = g >> 6;
    std::uint32_t r = block_count_[word / words_per_block];
    for (std::size_t w = word - word % words_per_block; w < word; ++w)
      r += static_cast<std::uint32_t>(std::popcount(bits_[w]));
    const std::uint64_t below = (std::uint64_t{1} << (g & 63)) - 1;
    return r + static_cast<std::uint32_t>(std::popcount(bits_[word] & below));
  }
  std::uint32_t rows() const { return rows_; }
  // The marked gids, ascending (row order).
  std::vector<Gid> gids() const {
    std::vector<Gid> out;
    out.reserve(rows_);
    for (std::size_t w = 0; w < bits_.size(); ++w)
      for (std::uint64_t b = bits_[w]; b != 0; b &= b - 1)
        out.push_back(static_cast<Gid>(w * 64 + static_cast<std::size_t>(std::countr_zero(b))));
    return out;
  }
  std::uint64_t bytes() const {
    return bits_.size() * sizeof(std::uint64_t) + block_count_.size() * sizeof(std::uint32_t);
  }

 private:
  static constexpr std::size_t words_per_block = 8;  // 512 neurons
  std::vector<std::uint64_t> bits_;
  std::vector<std::uint32_t> block_count_;
  std::uint32_t rows_ = 0;
};

}  // namespace myelin
