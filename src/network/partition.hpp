#pragma once

#include <cstdint>
#include <vector>

#include "config/config.hpp"
#include "myelin/types.hpp"

namespace myelin {

// Rank of every gid. `in_degree[g]` (incoming synapses) is used by `balanced`: contiguous
// blocks whose sums of in_degree + 1 are as equal as a greedy prefix cut makes them.
std::vector<int> partition_gids(PartitionMethod method, int n_ranks,
                                const std::vector<std::uint64_t>& in_degree);

}  // namespace myelin
