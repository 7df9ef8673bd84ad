#include "network/graph_metrics.hpp"

#include <algorithm>
#include <bit>
#include <limits>

namespace myelin {

namespace {

std::vector<std::uint32_t> evenly_spaced(std::uint32_t n, std::uint32_t count) {
  std::vector<std::uint32_t> out;
  for (std::uint64_t i = 0; i < count; ++i)
    out.push_back(static_cast<std::uint32_t>(i * n / count));
  return out;
}

std::uint64_t common_count(const std::vector<std::uint32_t>& a, const std::uint32_t* b,
                           std::size_t nb) {
  std::uint64_t c = 0;
  std::size_t i = 0, j = 0;
  while (i < a.size() && j < nb) {
    if (a[i] < b[j])
      ++i;
    else if (b[j] < a[i])
      ++j;
    else
      ++c, ++i, ++j;
  }
  return c;
}

// Links among the neighbours of each sampled vertex, summed over the ranks that own those
// neighbours: sum over u in N(v) of |N(u) ∩ N(v)| counts each link twice.
double mean_clustering(const LocalGraph& g, Communicator& comm,
                       const std::vector<std::uint32_t>& sample) {
  // The owners publish the sampled vertices' neighbour lists: (index, degree, neighbours...).
  std::vector<std::uint32_t> mine;
  for (std::uint32_t i = 0; i < sample.size(); ++i)
    if (g.owns(sample[i])) {
      const auto nb = g.neighbours(sample[i]);
      mine.push_back(i);
      mine.push_back(static_cast<std::uint32_t>(nb.size()));
      mine.insert(mine.end(), nb.begin(), nb.end());
    }
  const std::vector<std::uint32_t> lists = comm.allgatherv(mine);
  std::vector<std::uint64_t> links(sample.size(), 0), degree(sample.size(), 0);
  std::vector<std::uint32_t> nu;
  for (std::size_t at = 0; at < lists.size();) {
    const std::uint32_t i = lists[at];
    const std::uint32_t d = lists[at + 1];
    const std::uint32_t* nv = lists.data() + at + 2;
    degree[i] = d;
    for (std::uint32_t a = 0; a < d; ++a)
      if (g.owns(nv[a])) {
        nu = g.neighbours(nv[a]);
        links[i] += common_count(nu, nv, d);
      }
    at += 2 + d;
  }
  links = comm.sum_each(std::move(links));
  double sum = 0.0;
  for (std::size_t i = 0; i < sample.size(); ++i) {
    const auto d = static_cast<double>(degree[i]);
    if (degree[i] >= 2) sum += (static_cast<double>(links[i]) / 2.0) / (d * (d - 1.0) / 2.0);
  }
  return sample.empty() ? 0.0 : sum / static_cast<double>(sample.size());
}

// Level-synchronous BFS from up to 64 sources at once, one bit lane per source and a 64-bit
// word per vertex (small graphs: the exact measure from every vertex).
void bfs_lanes(const LocalGraph& g, Communicator& comm, const std::uint32_t* sources,
               std::size_t count, std::uint64_t& total, std::uint64_t& pairs) {
  const std::uint32_t n = g.n();
  std::vector<std::uint64_t> visited(n, 0), frontier(n, 0), next(n, 0);
  for (std::size_t l = 0; l < count; ++l) {
    visited[sources[l]] |= std::uint64_t{1} << l;
    frontier[sources[l]] |= std::uint64_t{1} << l;
  }
  for (std::uint64_t level = 1;; ++level) {
    std::fill(next.begin(), next.end(), 0);
    for (const std::uint32_t v : g.owned())
      if (frontier[v] != 0)
        g.for_each_neighbour(v, [&](std::uint32_t w) { next[w] |= frontier[v]; });
    comm.bitwise_or(next);
    std::uint64_t reached = 0;
    for (std::uint32_t v = 0; v < n; ++v) {
      next[v] &= ~visited[v];
      visited[v] |= next[v];
      reached += static_cast<std::uint64_t>(std::popcount(next[v]));
    }
    if (reached == 0) return;
    total += level * reached;
    pairs += reached;
    frontier.swap(next);
  }
}

// One BFS on bitsets of n bits (large graphs: nothing per vertex beyond three bits).
void bfs_bits(const LocalGraph& g, Communicator& comm, std::uint32_t source, std::uint64_t& total,
              std::uint64_t& pairs) {
  const std::size_t words = (static_cast<std::size_t>(g.n()) + 63) / 64;
  std::vector<std::uint64_t> visited(words, 0), frontier(words, 0), next(words, 0);
  auto test = [](const std::vector<std::uint64_t>& b, std::uint32_t v) {
    return (b[v >> 6] >> (v & 63)) & 1U;
  };
  visited[source >> 6] |= std::uint64_t{1} << (source & 63);
  frontier = visited;
  for (std::uint64_t level = 1;; ++level) {
    std::fill(next.begin(), next.end(), 0);
    for (const std::uint32_t v : g.owned())
      if (test(frontier, v))
        g.for_each_neighbour(
            v, [&](std::uint32_t w) { next[w >> 6] |= std::uint64_t{1} << (w & 63); });
    comm.bitwise_or(next);
    std::uint64_t reached = 0;
    for (std::size_t w = 0; w < words; ++w) {
      next[w] &= ~visited[w];
      visited[w] |= next[w];
      reached += static_cast<std::uint64_t>(std::popcount(next[w]));
    }
    if (reached == 0) return;
    total += level * reached;
    pairs += reached;
    frontier.swap(next);
  }
}

}  // namespace

LocalGraph::LocalGraph(std::uint32_t n, std::vector<std::uint32_t> owned,
                       std::vector<std::pair<std::uint32_t, std::uint32_t>> adjacent)
    : n_(n), ids_(n), owned_(std::move(owned)) {
  for (const std::uint32_t v : owned_) ids_.mark(v);
  for (const auto& [v, w] : adjacent) ids_.mark(w);
  ids_.finalise();
  global_.reserve(ids_.rows());
  for (std::uint32_t v = 0; v < n; ++v)
    if (ids_.contains(v)) global_.push_back(v);
  // Counting sort by row, then each (short) row sorted: O(edges), not O(edges log edges).
  const std::size_t vertices = global_.size();
  std::vector<std::uint64_t> start(vertices + 1, 0);
  for (const auto& [v, w] : adjacent) ++start[vertex_of(v) + 1];
  for (std::size_t i = 0; i < vertices; ++i) start[i + 1] += start[i];
  std::vector<std::uint32_t> column(adjacent.size());
  {
    std::vector<std::uint64_t> cursor(start.begin(), start.end() - 1);
    for (const auto& [v, w] : adjacent) column[cursor[vertex_of(v)]++] = vertex_of(w);
  }
  std::vector<std::pair<std::uint32_t, std::uint32_t>>().swap(adjacent);
  std::vector<std::pair<std::uint32_t, std::uint32_t>> sorted;
  sorted.reserve(column.size());
  for (std::size_t r = 0; r < vertices; ++r) {
    std::sort(column.begin() + static_cast<std::ptrdiff_t>(start[r]),
              column.begin() + static_cast<std::ptrdiff_t>(start[r + 1]));
    for (std::uint64_t i = start[r]; i < start[r + 1]; ++i)
      if (i == start[r] || column[i] != column[i - 1])
        sorted.emplace_back(static_cast<std::uint32_t>(r), column[i]);
  }
  std::vector<std::uint32_t>().swap(column);
  graph_ = Csr(boost::edges_are_sorted, sorted.begin(), sorted.end(),
               static_cast<std::uint32_t>(vertices));
}

bool LocalGraph::owns(std::uint32_t v) const {
  return std::binary_search(owned_.begin(), owned_.end(), v);
}

std::vector<std::uint32_t> LocalGraph::neighbours(std::uint32_t v) const {
  std::vector<std::uint32_t> out;
  for_each_neighbour(v, [&](std::uint32_t w) { out.push_back(w); });
  return out;
}

SmallWorldMetrics small_world_metrics(const LocalGraph& g, Communicator& comm,
                                      std::uint32_t exact_limit) {
  SmallWorldMetrics m;
  const std::uint32_t n = g.n();
  const bool exact = n <= exact_limit;
  const auto clustering_at = exact ? evenly_spaced(n, n) : evenly_spaced(n, 1000);
  m.clustering = mean_clustering(g, comm, clustering_at);
  m.clustering_vertices = static_cast<std::uint32_t>(clustering_at.size());

  const auto sources = exact ? evenly_spaced(n, n) : evenly_spaced(n, 32);
  std::uint64_t total = 0, pairs = 0;  // integers: the same sums on every split
  if (exact) {
    for (std::size_t b = 0; b < sources.size(); b += 64)
      bfs_lanes(g, comm, sources.data() + b, std::min<std::size_t>(64, sources.size() - b), total,
                pairs);
  } else {
    for (const std::uint32_t s : sources) bfs_bits(g, comm, s, total, pairs);
  }
  m.mean_path_length = pairs ? static_cast<double>(total) / static_cast<double>(pairs) : 0.0;
  m.path_length_sources = static_cast<std::uint32_t>(sources.size());
  return m;
}

}  // namespace myelin
