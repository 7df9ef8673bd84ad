#pragma once

// Connection rules. Each is a pure function of (seed, projection name, sizes): the same edge
// list on every rank, in a canonical order whose index identifies a synapse everywhere.

#include <cstdint>
#include <vector>

#include "config/config.hpp"

namespace myelin {

struct Edge {
  std::uint32_t source;  // population-local
  std::uint32_t target;  // population-local
};

// Undirected Watts-Strogatz graph on n vertices: ring lattice (u, u+j), j = 1..k/2, each
// lattice edge rewired with probability p to (u, w), w uniform, redrawn while w == u or u-w
// exists. Edges in lattice order (j outer, u inner), as networkx does. Throws
// std::invalid_argument for odd k, k >= n - 1, p outside [0, 1] or n < 3.
std::vector<Edge> watts_strogatz(std::uint32_t n, int k, double p, std::uint64_t seed,
                                 std::uint32_t stream);

// The synapses of one projection (directed, source -> target), in canonical order.
std::vector<Edge> generate_projection(const ProjectionConfig& projection, std::uint32_t source_size,
                                      std::uint32_t target_size, std::uint64_t seed);

}  // namespace myelin
