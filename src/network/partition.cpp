#include "network/partition.hpp"

namespace myelin {

std::vector<int> partition_gids(PartitionMethod method, int n_ranks,
                                const std::vector<std::uint64_t>& in_degree) {
  const std::size_t n = in_degree.size();
  const auto ranks = static_cast<std::uint64_t>(n_ranks);
  std::vector<int> rank(n, 0);
  switch (method) {
    case PartitionMethod::contiguous:
      for (std::size_t g = 0; g < n; ++g) rank[g] = static_cast<int>(g * ranks / n);
      break;
    case PartitionMethod::round_robin:
      for (std::size_t g = 0; g < n; ++g) rank[g] = static_cast<int>(g % ranks);
      break;
    case PartitionMethod::balanced: {
      std::uint64_t total = 0;
      for (const auto d : in_degree) total += d + 1;
      std::uint64_t prefix = 0;
      for (std::size_t g = 0; g < n; ++g) {
        // The block is chosen by the midpoint of the vertex's weight on the cumulative axis.
        const std::uint64_t mid2 = 2 * prefix + in_degree[g] + 1;
        rank[g] = static_cast<int>(std::min<std::uint64_t>(ranks - 1, mid2 * ranks / (2 * total)));
        prefix += in_degree[g] + 1;
      }
      break;
    }
  }
  return rank;
}

}  // namespace myelin
