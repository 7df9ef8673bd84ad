#pragma once

// Clustering coefficient and mean path length of a small-world graph that no rank holds whole.
// Each rank holds its part as a Boost.Graph CSR: rows for the vertices it owns, columns over
// every vertex id it sees (its own and their neighbours), ascending, so each row lists the
// neighbours in ascending id order. The measures are collective and built from integer sums,
// so every split gets the same numbers.

#include <boost/graph/compressed_sparse_row_graph.hpp>
#include <boost/range/iterator_range.hpp>
#include <cstdint>
#include <utility>
#include <vector>

#include "comm/communicator.hpp"
#include "network/source_index.hpp"

namespace myelin {

struct SmallWorldMetrics {
  double clustering = 0.0;        // mean local clustering coefficient (Watts & Strogatz 1998)
  double mean_path_length = 0.0;  // mean shortest path over reachable ordered pairs
  std::uint32_t clustering_vertices = 0;
  std::uint32_t path_length_sources = 0;
};

class LocalGraph {
 public:
  using Csr =
      boost::compressed_sparse_row_graph<boost::directedS, boost::no_property, boost::no_property,
                                         boost::no_property, std::uint32_t, std::uint64_t>;
  // `n`: vertices of the whole graph. `owned`: this rank's vertices, ascending. `adjacent`:
  // (owned vertex, neighbour) pairs of the undirected graph, both ids global, each undirected
  // edge once per owned end (consumed).
  LocalGraph(std::uint32_t n, std::vector<std::uint32_t> owned,
             std::vector<std::pair<std::uint32_t, std::uint32_t>> adjacent);

  std::uint32_t n() const { return n_; }
  const std::vector<std::uint32_t>& owned() const { return owned_; }
  bool owns(std::uint32_t v) const;
  // Neighbours of an owned vertex, ascending (global ids).
  std::vector<std::uint32_t> neighbours(std::uint32_t v) const;
  template <class Fn>
  void for_each_neighbour(std::uint32_t v, Fn&& fn) const {
    const auto local = vertex_of(v);
    for (const auto w : boost::make_iterator_range(boost::adjacent_vertices(local, graph_)))
      fn(global_[w]);
  }

 private:
  std::uint32_t vertex_of(std::uint32_t v) const { return ids_.row(v); }
  std::uint32_t n_;
  SourceIndex ids_;  // every id this rank sees -> CSR vertex (one bit each)
  std::vector<std::uint32_t> owned_;
  std::vector<std::uint32_t> global_;  // [CSR vertex] global id, ascending
  Csr graph_;
};

// Collective. Exact up to `exact_limit` vertices; above it, 1000 evenly spaced vertices for the
// clustering and 32 evenly spaced BFS sources for the path length (the same sample on every
// split).
SmallWorldMetrics small_world_metrics(const LocalGraph& graph, Communicator& comm,
                                      std::uint32_t exact_limit = 2000);

}  // namespace myelin
