#include "network/generators.hpp"

#include <algorithm>
#include <limits>
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
  // One Philox block per slot: words 0-1 decide the rewiring, words 2-3 are the first
  // candidate. Distances u is joined to: kept lattice edges, then each rewiring as it is made;
  // at most k/2 entries, so a linear scan beats any set.
  constexpr std::uint32_t small = 64;
  std::uint32_t used_small[small];
  rng::Words first_small[small];
  std::vector<std::uint32_t> used_large;
  std::vector<rng::Words> first_large;
  if (half > small) {
    used_large.resize(half);
    first_large.resize(half + 1);
  }
  std::uint32_t* used = half > small ? used_large.data() : used_small;
  rng::Words* block = half > small ? first_large.data() : first_small;
  std::uint32_t n_used = 0;
  for (std::uint32_t j = 1; j <= half; ++j) {
    block[j - 1] = rng::philox(seed, rng::Stream::graph, stream, u, j);
    if (!(rng::uniform_open(block[j - 1][0], block[j - 1][1]) < p)) used[n_used++] = j;
  }
  auto is_used = [&](std::uint32_t d) {
    return std::find(used, used + n_used, d) != used + n_used;
  };
  for (std::uint32_t j = 1; j <= half; ++j) {
    const rng::Words& w0 = block[j - 1];
    std::uint32_t d = j;
    if (rng::uniform_open(w0[0], w0[1]) < p) {
      // Rejection from the forward half-ring, a fresh draw per attempt keyed by the edge. The
      // free set is never empty (span >= k/2 > distances taken before this slot); after 32
      // misses (dense graphs) the free distances are listed and one is drawn exactly.
      d = 1 + rng::uniform_below(w0[2], w0[3], span);
      bool found = !is_used(d);
      for (std::uint32_t attempt = 1; attempt < 32 && !found; ++attempt) {
        const auto w =
            rng::philox(seed, rng::Stream::graph, stream ^ (attempt * 0x9E3779B9u), u, j);
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

std::uint64_t binomial(std::uint64_t n, double p, const rng::Words& w) {
  if (n == 0 || p <= 0.0) return 0;
  if (p >= 1.0) return n;
  const bool flip = p > 0.5;
  const double q = flip ? 1.0 - p : p;
  const double mean = static_cast<double>(n) * q;
  std::uint64_t k = 0;
  if (mean < 30.0) {
    // Inversion: walk the CDF from 0 (at most a few dozen terms at this mean).
    const double u = rng::uniform_open(w[0], w[1]);
    double pk = std::exp(static_cast<double>(n) * std::log1p(-q));
    double cdf = pk;
    const double ratio = q / (1.0 - q);
    while (u > cdf && k < n) {
      pk *= static_cast<double>(n - k) / static_cast<double>(k + 1) * ratio;
      ++k;
      cdf += pk;
      if (pk < 1e-300 && cdf < u) break;  // rounding: the tail beyond here has no mass left
    }
  } else {
    const double z = rng::normal_pair(w)[0];
    const double x = std::round(mean + std::sqrt(mean * (1.0 - q)) * z);
    k = x <= 0.0 ? 0 : std::min<std::uint64_t>(n, static_cast<std::uint64_t>(x));
  }
  return flip ? n - k : k;
}

namespace {

void split_counts(std::uint64_t count, std::uint32_t a, std::uint32_t b, std::uint64_t capacity,
                  std::uint64_t seed, std::uint32_t stream,
                  const std::vector<std::uint32_t>& targets, std::vector<std::uint64_t>& out) {
  const auto first = std::lower_bound(targets.begin(), targets.end(), a);
  if (first == targets.end() || *first >= b) return;  // none of this rank's targets here
  if (b - a == 1) {
    out[static_cast<std::size_t>(first - targets.begin())] = count;
    return;
  }
  const std::uint32_t mid = a + (b - a) / 2;
  const double p_left = static_cast<double>(mid - a) / static_cast<double>(b - a);
  std::uint64_t left =
      binomial(count, p_left, rng::philox(seed, rng::Stream::graph, stream ^ 0x27D4EB2Fu, a, b));
  if (capacity != std::numeric_limits<std::uint64_t>::max()) {
    const std::uint64_t left_cap = capacity * (mid - a), right_cap = capacity * (b - mid);
    left = std::min(left, left_cap);
    if (count - left > right_cap) left = count - right_cap;
  }
  split_counts(left, a, mid, capacity, seed, stream, targets, out);
  split_counts(count - left, mid, b, capacity, seed, stream, targets, out);
}

}  // namespace

std::vector<std::uint64_t> total_number_counts(std::uint64_t total, std::uint32_t n_targets,
                                               std::uint64_t capacity, std::uint64_t seed,
                                               std::uint32_t stream,
                                               const std::vector<std::uint32_t>& targets) {
  std::vector<std::uint64_t> out(targets.size(), 0);
  if (n_targets > 0) split_counts(total, 0, n_targets, capacity, seed, stream, targets, out);
  return out;
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
