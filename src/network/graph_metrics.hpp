#pragma once

#include <cstdint>
#include <vector>

#include "network/generators.hpp"

namespace myelin {

struct SmallWorldMetrics {
  double clustering = 0.0;        // mean local clustering coefficient (Watts & Strogatz 1998)
  double mean_path_length = 0.0;  // mean shortest path over reachable ordered pairs
  std::uint32_t clustering_vertices = 0;
  std::uint32_t path_length_sources = 0;
};

// Metrics of an undirected graph held in Boost.Graph. Exact up to `exact_limit` vertices;
// above it, evenly spaced samples of vertices (clustering) and BFS sources (path length).
SmallWorldMetrics small_world_metrics(std::uint32_t n, const std::vector<Edge>& undirected,
                                      std::uint32_t exact_limit = 2000);

}  // namespace myelin
