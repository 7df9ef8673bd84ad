#include "network/generators.hpp"

#include <algorithm>
#include <stdexcept>

namespace myelin {

namespace {

// Size of u's forward half-ring: the distances d = 1..span it may be joined to.
std::uint32_t forward_span(std::uint32_t n, std::uint32_t u) {
  return (n - 1) / 2 + (n % 2 == 0 && u < n / 2 ? 1U : 0U);
}

}  // namespace

void check_watts_strogatz(std::uint32_t n, int k, double p) {
  if (n < 3) throw std::invalid_argument("small_world: n must be >= 3");
  if (k < 2 || k % 2 != 0) throw std::invalid_argument("small_world: k must be even and >= 2");
  if (static_cast<std::int64_t>(k) >= static_cast<std::int64_t>(n) - 1)
    throw std::invalid_argument("small_world: k must be < n - 1");
  if (!(p >= 0.0 && p <= 1.0)) throw std::invalid_argument("small_world: p must be in [0, 1]");
}

void watts_strogatz_edges_of(std::uint32_t n, int k, double p, std::uint64_t seed,
                             std::uint32_t stream, std::uint32_t u, std::vector<ForwardEdge>& out) {
  const auto half = static_cast<std::uint32_t>(k / 2);
  const std::uint32_t span = forward_span(n, u);
  // Distances u is joined to: kept lattice edges first, then each rewiring as it is made.
  // At most k/2 entries, so a linear scan beats any set.
  std::uint32_t taken[64];
  std::vector<std::uint32_t> taken_large;
  std::uint32_t* used = half <= 64 ? taken : (taken_large.resize(half), taken_large.data());
  std::uint32_t n_used = 0;
  auto rewired = [&](std::uint32_t j) {
    const auto w = rng::philox(seed, rng::Stream::graph, stream, u, j);
    return rng::uniform_open(w[0], w[1]) < p;
  };
  for (std::uint32_t j = 1; j <= half; ++j)
    if (!rewired(j)) used[n_used++] = j;
  auto is_used = [&](std::uint32_t d) {
    return std::find(used, used + n_used, d) != used + n_used;
  };
  for (std::uint32_t j = 1; j <= half; ++j) {
    std::uint32_t d = j;
    if (rewired(j)) {
      // Rejection from the forward half-ring; a fresh draw per attempt, keyed by the edge. The
      // free set is never empty (span >= k/2 > distances taken before this slot), and after 32
      // misses (dense graphs) the free distances are listed and one is drawn exactly.
      bool found = false;
      for (std::uint32_t attempt = 0; attempt < 32 && !found; ++attempt) {
        const auto w =
            rng::philox(seed, rng::Stream::graph, stream ^ ((attempt + 1) * 0x9E3779B9u), u, j);
        d = 1 + rng::uniform_below(w[2], w[3], span);
        found = !is_used(d);
      }
      if (!found) {
        std::vector<std::uint32_t> free;
        for (std::uint32_t c = 1; c <= span; ++c)
          if (!is_used(c)) free.push_back(c);
        const auto w = rng::philox(seed, rng::Stream::graph, stream ^ 0x7F4A7C15u, u, j);
        d = free[rng::uniform_below(w[2], w[3], static_cast<std::uint32_t>(free.size()))];
      }
      used[n_used++] = d;
    }
    out.push_back({static_cast<std::uint32_t>((std::uint64_t{u} + d) % n), j});
  }
}

std::vector<Edge> watts_strogatz(std::uint32_t n, int k, double p, std::uint64_t seed,
                                 std::uint32_t stream) {
  check_watts_strogatz(n, k, p);
  const auto half = static_cast<std::uint32_t>(k / 2);
  std::vector<Edge> edges(static_cast<std::size_t>(n) * half);
  std::vector<ForwardEdge> mine;
  for (std::uint32_t u = 0; u < n; ++u) {
    mine.clear();
    watts_strogatz_edges_of(n, k, p, seed, stream, u, mine);
    for (const ForwardEdge& e : mine)
      edges[static_cast<std::size_t>(e.slot - 1) * n + u] = {u, e.target};
  }
  return edges;
}

}  // namespace myelin
