#pragma once

// Which rank owns each neuron, decided before any synapse exists, from numbers every rank
// computes the same way (population sizes and each rule's expected in-degree). No array by
// gid: ranks own contiguous gid blocks (contiguous, balanced) or every R-th gid (round_robin),
// so owner and rank-local index are arithmetic or a search over R + 1 boundaries.

#include <cstdint>
#include <vector>

#include "config/config.hpp"
#include "myelin/types.hpp"

namespace myelin {

class Partition {
 public:
  // `weight[g]` for balanced blocks is 1 + the expected in-degree of g's population, given as
  // (first gid, size, weight) runs covering [0, n_global) in gid order.
  struct WeightRun {
    Gid first = 0;
    std::uint64_t size = 0;
    std::uint64_t weight = 1;
  };
  Partition(PartitionMethod method, int n_ranks, std::uint64_t n_global,
            const std::vector<WeightRun>& weights);

  int n_ranks() const { return n_ranks_; }
  int rank_of(Gid g) const;
  // Index of g among the neurons of rank_of(g), in ascending gid order.
  std::uint32_t local_index(Gid g) const;
  std::uint64_t neurons_of(int rank) const;
  // The gids of `rank` in [first, first + size), ascending.
  std::vector<Gid> owned(int rank, Gid first, std::uint64_t size) const;

 private:
  PartitionMethod method_;
  int n_ranks_;
  std::uint64_t n_global_;
  std::vector<std::uint64_t> block_begin_;  // [rank] first gid of each block, then n_global
};

// Expected number of synapses onto one neuron of each population (config order): the weights
// of the balanced partition and of the memory estimate.
std::vector<double> expected_in_degree(const Config& config);

}  // namespace myelin
