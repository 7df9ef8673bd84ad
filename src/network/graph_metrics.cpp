#include "network/graph_metrics.hpp"

#include <algorithm>
#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/breadth_first_search.hpp>
#include <boost/graph/visitors.hpp>

namespace myelin {

namespace {

using Graph = boost::adjacency_list<boost::vecS, boost::vecS, boost::undirectedS>;
using Vertex = boost::graph_traits<Graph>::vertex_descriptor;

std::vector<std::uint32_t> evenly_spaced(std::uint32_t n, std::uint32_t count) {
  std::vector<std::uint32_t> out;
  for (std::uint64_t i = 0; i < count; ++i)
    out.push_back(static_cast<std::uint32_t>(i * n / count));
  return out;
}

// Local clustering of v: links among its neighbours over pairs of neighbours. A marker array
// makes each test O(1), so a 100-neighbour vertex costs 10^4 steps, not 10^6 edge() lookups.
double local_clustering(const Graph& g, Vertex v, std::vector<std::uint32_t>& mark,
                        std::uint32_t stamp) {
  const auto [begin, end] = boost::adjacent_vertices(v, g);
  const auto degree = static_cast<double>(std::distance(begin, end));
  if (degree < 2) return 0.0;
  for (auto it = begin; it != end; ++it) mark[*it] = stamp;
  double links = 0.0;
  for (auto it = begin; it != end; ++it) {
    const auto [nb, ne] = boost::adjacent_vertices(*it, g);
    for (auto jt = nb; jt != ne; ++jt)
      if (mark[*jt] == stamp) links += 1.0;
  }
  return (links / 2.0) / (degree * (degree - 1.0) / 2.0);
}

}  // namespace

SmallWorldMetrics small_world_metrics(std::uint32_t n, const std::vector<Edge>& undirected,
                                      std::uint32_t exact_limit) {
  Graph g(n);
  for (const Edge& e : undirected) boost::add_edge(e.source, e.target, g);

  SmallWorldMetrics m;
  const bool exact = n <= exact_limit;
  const auto clustering_at = exact ? evenly_spaced(n, n) : evenly_spaced(n, 1000);
  std::vector<std::uint32_t> mark(n, 0);
  double sum = 0.0;
  std::uint32_t stamp = 0;
  for (const auto v : clustering_at) sum += local_clustering(g, v, mark, ++stamp);
  m.clustering = sum / static_cast<double>(clustering_at.size());
  m.clustering_vertices = static_cast<std::uint32_t>(clustering_at.size());

  const auto sources = exact ? evenly_spaced(n, n) : evenly_spaced(n, 32);
  std::vector<std::uint32_t> distance(n);
  std::uint64_t total = 0, pairs = 0;  // integers: the same sum in any order
  for (const auto s : sources) {
    std::fill(distance.begin(), distance.end(), std::numeric_limits<std::uint32_t>::max());
    distance[s] = 0;
    boost::breadth_first_search(g, boost::vertex(s, g),
                                boost::visitor(boost::make_bfs_visitor(boost::record_distances(
                                    distance.data(), boost::on_tree_edge()))));
    for (std::uint32_t v = 0; v < n; ++v)
      if (v != s && distance[v] != std::numeric_limits<std::uint32_t>::max()) {
        total += distance[v];
        ++pairs;
      }
  }
  m.mean_path_length = pairs ? static_cast<double>(total) / static_cast<double>(pairs) : 0.0;
  m.path_length_sources = static_cast<std::uint32_t>(sources.size());
  return m;
}

}  // namespace myelin
