#include "network/partition.hpp"

#include <algorithm>
#include <stdexcept>

namespace myelin {

namespace {
__extension__ using Wide = unsigned __int128;  // products of gid counts, weights and ranks
}

Partition::Partition(PartitionMethod method, int n_ranks, std::uint64_t n_global,
                     const std::vector<WeightRun>& weights)
    : method_(method), n_ranks_(n_ranks), n_global_(n_global) {
  if (n_ranks < 1) throw std::invalid_argument("Partition: n_ranks must be >= 1");
  const auto ranks = static_cast<std::uint64_t>(n_ranks);
  block_begin_.assign(ranks + 1, n_global);
  block_begin_[0] = 0;
  switch (method) {
    case PartitionMethod::round_robin:
      break;
    case PartitionMethod::contiguous:
      // rank(g) = floor(g R / n): block r starts at ceil(r n / R).
      for (std::uint64_t r = 1; r < ranks; ++r)
        block_begin_[r] = static_cast<std::uint64_t>((Wide{r} * n_global + ranks - 1) / ranks);
      break;
    case PartitionMethod::balanced: {
      // A neuron goes to the block that holds the midpoint of its weight on the cumulative
      // axis: rank(g) = floor((2 prefix(g) + w(g)) R / (2 total)). Weights are constant per
      // population, so each boundary is found by arithmetic inside one run.
      Wide total = 0;
      for (const WeightRun& run : weights) total += Wide{run.size} * run.weight;
      if (total == 0) break;
      for (std::uint64_t r = 1; r < ranks; ++r) {
        // First g with (2 prefix + w) R >= 2 r total, i.e. 2 prefix + w >= need.
        const Wide need = (2 * Wide{r} * total + ranks - 1) / ranks;
        Wide prefix = 0;
        std::uint64_t begin = n_global;
        for (const WeightRun& run : weights) {
          const Wide w = run.weight;
          const Wide end_prefix = prefix + Wide{run.size} * w;
          // The last neuron of the run has 2 prefix + w = 2 end_prefix - w.
          if (run.size > 0 && 2 * end_prefix - w >= need) {
            const Wide lhs = 2 * prefix + w;
            const Wide steps = lhs >= need ? 0 : (need - lhs + 2 * w - 1) / (2 * w);
            begin = run.first + static_cast<std::uint64_t>(steps);
            break;
          }
          prefix = end_prefix;
        }
        block_begin_[r] = std::max(begin, block_begin_[r - 1]);
      }
      break;
    }
  }
}

int Partition::rank_of(Gid g) const {
  if (method_ == PartitionMethod::round_robin)
    return static_cast<int>(g % static_cast<std::uint64_t>(n_ranks_));
  const auto it = std::upper_bound(block_begin_.begin(), block_begin_.end() - 1, std::uint64_t{g});
  return static_cast<int>(it - block_begin_.begin()) - 1;
}

std::uint32_t Partition::local_index(Gid g) const {
  if (method_ == PartitionMethod::round_robin)
    return static_cast<std::uint32_t>(g / static_cast<std::uint64_t>(n_ranks_));
  return static_cast<std::uint32_t>(g - block_begin_[static_cast<std::size_t>(rank_of(g))]);
}

std::uint64_t Partition::neurons_of(int rank) const {
  const auto r = static_cast<std::uint64_t>(rank);
  if (method_ == PartitionMethod::round_robin) {
    const auto ranks = static_cast<std::uint64_t>(n_ranks_);
    return n_global_ / ranks + (r < n_global_ % ranks ? 1 : 0);
  }
  return block_begin_[r + 1] - block_begin_[r];
}

std::vector<Gid> Partition::owned(int rank, Gid first, std::uint64_t size) const {
  std::vector<Gid> out;
  const std::uint64_t end = std::uint64_t{first} + size;
  if (method_ == PartitionMethod::round_robin) {
    const auto ranks = static_cast<std::uint64_t>(n_ranks_);
    const auto r = static_cast<std::uint64_t>(rank);
    std::uint64_t g = first + (r + ranks - first % ranks) % ranks;
    out.reserve(size / ranks + 1);
    for (; g < end; g += ranks) out.push_back(static_cast<Gid>(g));
    return out;
  }
  const std::uint64_t b =
      std::max<std::uint64_t>(first, block_begin_[static_cast<std::size_t>(rank)]);
  const std::uint64_t e = std::min(end, block_begin_[static_cast<std::size_t>(rank) + 1]);
  for (std::uint64_t g = b; g < e; ++g) out.push_back(static_cast<Gid>(g));
  return out;
}

std::vector<double> expected_in_degree(const Config& config) {
  std::vector<double> out(config.populations.size(), 0.0);
  for (const ProjectionConfig& proj : config.projections) {
    std::size_t t = 0;
    const PopulationConfig* source = config.find_population(proj.source);
    for (; t < config.populations.size(); ++t)
      if (config.populations[t].name == proj.target) break;
    if (t == config.populations.size() || source == nullptr) continue;
    const double n_source = static_cast<double>(source->size) -
                            (proj.source == proj.target && !proj.autapses ? 1.0 : 0.0);
    switch (proj.rule) {
      case ConnectionRule::small_world:
        out[t] += proj.symmetric ? proj.k : proj.k / 2.0;
        break;
      case ConnectionRule::fixed_probability:
        out[t] += proj.p * n_source;
        break;
      case ConnectionRule::one_to_one:
        out[t] += 1.0;
        break;
      case ConnectionRule::all_to_all:
        out[t] += n_source;
        break;
      case ConnectionRule::fixed_indegree:
        out[t] += static_cast<double>(proj.number);
        break;
      case ConnectionRule::fixed_outdegree:
        out[t] += static_cast<double>(proj.number) * static_cast<double>(source->size) /
                  static_cast<double>(config.populations[t].size);
        break;
      case ConnectionRule::fixed_total_number:
        out[t] +=
            static_cast<double>(proj.number) / static_cast<double>(config.populations[t].size);
        break;
    }
  }
  return out;
}

}  // namespace myelin
