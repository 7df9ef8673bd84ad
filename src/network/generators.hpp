#pragma once

// Connection rules, defined so that any rank can generate any part of a projection alone:
// every decision is a counter-based draw keyed by the identity of what it decides (seed,
// projection, vertex or target, slot), never by the order of generation. A rank generates the
// synapses onto its own neurons (per-target rules) or the edges of its own vertices
// (small_world, then routed to the owners of their far ends): the result is the same network
// for every split.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "config/config.hpp"
#include "core/random.hpp"

namespace myelin {

struct Edge {
  std::uint32_t source;  // population-local
  std::uint32_t target;  // population-local
};

// ---- Watts-Strogatz (small_world) ------------------------------------------------------------
//
// Ring lattice on n vertices, lattice edge (u, u + j) for j = 1..k/2, each rewired with
// probability p. To make the rewiring of each vertex independent of every other, each
// unordered pair {a, b} belongs to exactly one vertex: the one from which the other lies in its
// forward half-ring, {u + 1, ..., u + (n - 1)/2} (for even n the antipode u + n/2 belongs to
// the smaller of the two). Vertex u owns its lattice edges and rewires each chosen one to a
// uniformly drawn vertex of its forward half-ring that it is not yet joined to (by a kept
// lattice edge or an earlier rewiring of its own). So: exactly n k / 2 edges, no self-loops, no
// duplicates (a pair can only be made by its owner, and the owner never repeats it), and every
// lattice edge may be rewired. C(p) and L(p) follow Watts & Strogatz (tests/unit/test_network).

struct ForwardEdge {
  std::uint32_t target;  // u + distance (mod n)
  std::uint32_t slot;    // lattice slot j in 1..k/2: the edge's identity with u
};

// Throws std::invalid_argument for odd k, k >= n - 1, p outside [0, 1] or n < 3.
void check_watts_strogatz(std::uint32_t n, int k, double p);

// The k/2 edges owned by vertex u, in slot order (appended to `out`).
void watts_strogatz_edges_of(std::uint32_t n, int k, double p, std::uint64_t seed,
                             std::uint32_t stream, std::uint32_t u, std::vector<ForwardEdge>& out);

// The whole undirected graph, edge (j - 1) n + u being u's slot j. Small graphs and tests only:
// simulations never hold it.
std::vector<Edge> watts_strogatz(std::uint32_t n, int k, double p, std::uint64_t seed,
                                 std::uint32_t stream);

// ---- Random partners (fixed_indegree, fixed_outdegree, fixed_total_number) -------------------
//
// `count` partners of neuron `owner`, each uniform over [0, n), drawn i = 0, 1, ... from Philox
// keyed by (owner, i), redrawn (attempt-keyed) while equal to `excluded` (an autapse) or, without
// multapses, to an earlier partner. Calls fn(partner, i). The caller guarantees enough partners.
template <class Fn>
void draw_partners(std::uint64_t count, std::uint32_t n, std::uint32_t excluded, bool multapses,
                   std::uint64_t seed, std::uint32_t stream, std::uint32_t owner, Fn&& fn) {
  std::vector<std::uint32_t> taken;  // sorted, without multapses only
  for (std::uint32_t i = 0; i < count; ++i) {
    std::uint32_t partner = 0;
    for (std::uint32_t attempt = 0;; ++attempt) {
      const auto w =
          rng::philox(seed, rng::Stream::graph, stream ^ (attempt * 0x85EBCA6Bu), owner, i);
      partner = rng::uniform_below(w[0], w[1], n);
      if (partner == excluded) continue;
      if (!multapses && std::binary_search(taken.begin(), taken.end(), partner)) continue;
      break;
    }
    if (!multapses) taken.insert(std::lower_bound(taken.begin(), taken.end(), partner), partner);
    fn(partner, i);
  }
}

// Binomial(n, p) from one Philox block: exact inversion when n min(p, 1 - p) < 30, otherwise the
// normal approximation, rounded and clamped to [0, n] (the splits below are of large counts).
std::uint64_t binomial(std::uint64_t n, double p, const rng::Words& w);

// fixed_total_number: how many of `total` synapses land on each of `targets` (population-local,
// ascending) out of `n_targets`. The count of a range of targets is split between its halves by
// a binomial draw keyed by the range, down to single targets, so a rank finds its own targets'
// counts alone (visiting only ranges that hold them) and every split agrees. A target gets at
// most `capacity` (without multapses: the distinct sources available).
std::vector<std::uint64_t> total_number_counts(std::uint64_t total, std::uint32_t n_targets,
                                               std::uint64_t capacity, std::uint64_t seed,
                                               std::uint32_t stream,
                                               const std::vector<std::uint32_t>& targets);

// ---- Rules defined per target ----------------------------------------------------------------
//
// Calls fn(source, key) for every synapse onto target t (population-local) in canonical order;
// (t, key) identifies the synapse inside its projection (its weight and delay draws). `count`:
// fixed_total_number's count for t (total_number_counts).
template <class Fn>
void for_each_synapse_onto(const ProjectionConfig& proj, std::uint32_t source_size, std::uint32_t t,
                           std::uint64_t count, std::uint64_t seed, std::uint32_t stream, Fn&& fn) {
  const bool same = proj.source == proj.target;
  const std::uint32_t self = same && !proj.autapses ? t : 0xFFFFFFFFu;
  switch (proj.rule) {
    case ConnectionRule::fixed_indegree:
      draw_partners(proj.number, source_size, self, proj.multapses, seed, stream, t, fn);
      return;
    case ConnectionRule::fixed_total_number:
      draw_partners(count, source_size, self, proj.multapses, seed, stream, t, fn);
      return;
    case ConnectionRule::fixed_outdegree:
      return;  // generated by source, not by target
    case ConnectionRule::fixed_probability: {
      if (proj.p <= 0.0) return;
      // Geometric skips over the sources: O(synapses), not O(n^2).
      const double log_q = std::log1p(-proj.p);
      std::uint32_t counter = 0;
      std::uint32_t key = 0;
      double next = -1.0;
      while (true) {
        if (proj.p >= 1.0) {
          next += 1.0;
        } else {
          const auto w = rng::philox(seed, rng::Stream::graph, stream, t, counter++);
          next += 1.0 + std::floor(std::log(rng::uniform_open(w[0], w[1])) / log_q);
        }
        if (next >= static_cast<double>(source_size)) return;
        const auto s = static_cast<std::uint32_t>(next);
        if (same && s == t && !proj.autapses) continue;
        fn(s, key++);
      }
    }
    case ConnectionRule::one_to_one:
      fn(t, 0U);
      return;
    case ConnectionRule::all_to_all:
      for (std::uint32_t s = 0; s < source_size; ++s)
        if (!(same && s == t && !proj.autapses)) fn(s, s);
      return;
    case ConnectionRule::small_world:
      return;  // generated by vertex, not by target
  }
}

}  // namespace myelin
