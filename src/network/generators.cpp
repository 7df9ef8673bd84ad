#include "network/generators.hpp"

#include <cmath>
#include <limits>
#include <stdexcept>

#include "core/random.hpp"

namespace myelin {

namespace {

// Open-addressing set of undirected edge keys; removal leaves a tombstone.
class EdgeSet {
 public:
  explicit EdgeSet(std::size_t expected) {
    std::size_t cap = 16;
    while (cap < 2 * expected + 16) cap <<= 1;
    slots_.assign(cap, empty);
  }
  static std::uint64_t key(std::uint32_t a, std::uint32_t b) {
    return a < b ? (std::uint64_t{a} << 32 | b) : (std::uint64_t{b} << 32 | a);
  }
  bool contains(std::uint64_t k) const { return slots_[find(k)] == k; }
  void insert(std::uint64_t k) {
    std::size_t i = hash(k);
    while (slots_[i] != empty && slots_[i] != tombstone && slots_[i] != k)
      i = (i + 1) & (slots_.size() - 1);
    slots_[i] = k;
  }
  void erase(std::uint64_t k) {
    const std::size_t i = find(k);
    if (slots_[i] == k) slots_[i] = tombstone;
  }

 private:
  static constexpr std::uint64_t empty = std::numeric_limits<std::uint64_t>::max();
  static constexpr std::uint64_t tombstone = empty - 1;
  std::size_t hash(std::uint64_t k) const {
    return static_cast<std::size_t>((k * 0x9E3779B97F4A7C15ull) >> 20) & (slots_.size() - 1);
  }
  std::size_t find(std::uint64_t k) const {
    std::size_t i = hash(k);
    while (slots_[i] != empty && slots_[i] != k) i = (i + 1) & (slots_.size() - 1);
    return i;
  }
  std::vector<std::uint64_t> slots_;
};

}  // namespace

std::vector<Edge> watts_strogatz(std::uint32_t n, int k, double p, std::uint64_t seed,
                                 std::uint32_t stream) {
  if (n < 3) throw std::invalid_argument("small_world: n must be >= 3");
  if (k < 2 || k % 2 != 0) throw std::invalid_argument("small_world: k must be even and >= 2");
  if (static_cast<std::int64_t>(k) >= static_cast<std::int64_t>(n) - 1)
    throw std::invalid_argument("small_world: k must be < n - 1");
  if (!(p >= 0.0 && p <= 1.0)) throw std::invalid_argument("small_world: p must be in [0, 1]");
  const auto half = static_cast<std::uint32_t>(k / 2);
  std::vector<Edge> edges(static_cast<std::size_t>(n) * half);
  EdgeSet present(edges.size());
  std::vector<std::uint32_t> degree(n, static_cast<std::uint32_t>(k));
  for (std::uint32_t j = 1; j <= half; ++j)
    for (std::uint32_t u = 0; u < n; ++u) {
      const std::uint32_t v = (u + j) % n;
      edges[static_cast<std::size_t>(j - 1) * n + u] = {u, v};
      present.insert(EdgeSet::key(u, v));
    }
  for (std::uint32_t j = 1; j <= half; ++j)
    for (std::uint32_t u = 0; u < n; ++u) {
      Edge& e = edges[static_cast<std::size_t>(j - 1) * n + u];
      auto w = rng::philox(seed, rng::Stream::graph, stream, u, j);
      if (rng::uniform_open(w[0], w[1]) >= p) continue;
      if (degree[u] >= n - 1) continue;  // u already touches every vertex: nowhere to go
      for (std::uint32_t attempt = 1;; ++attempt) {
        const std::uint32_t t = rng::uniform_below(w[2], w[3], n);
        if (t != u && !present.contains(EdgeSet::key(u, t))) {
          present.erase(EdgeSet::key(u, e.target));
          present.insert(EdgeSet::key(u, t));
          --degree[e.target];
          ++degree[t];
          e.target = t;
          break;
        }
        // A fresh draw per attempt, still keyed by the edge's identity.
        w = rng::philox(seed, rng::Stream::graph, stream ^ (attempt * 0x9E3779B9u), u, j);
      }
    }
  return edges;
}

std::vector<Edge> generate_projection(const ProjectionConfig& proj, std::uint32_t source_size,
                                      std::uint32_t target_size, std::uint64_t seed) {
  const std::uint32_t stream = rng::name_hash(proj.name);
  const bool same = proj.source == proj.target;
  std::vector<Edge> out;
  switch (proj.rule) {
    case ConnectionRule::small_world: {
      const auto undirected = watts_strogatz(target_size, proj.k, proj.p, seed, stream);
      out.reserve(undirected.size() * (proj.symmetric ? 2 : 1));
      for (const Edge& e : undirected) {
        out.push_back(e);
        if (proj.symmetric) out.push_back({e.target, e.source});
      }
      break;
    }
    case ConnectionRule::fixed_probability: {
      if (proj.p <= 0.0) break;
      // Per target, geometric skips over the sources: O(synapses), not O(n^2).
      const double log_q = std::log1p(-proj.p);
      for (std::uint32_t t = 0; t < target_size; ++t) {
        std::uint32_t counter = 0;
        double next = -1.0;
        while (true) {
          if (proj.p >= 1.0) {
            next += 1.0;
          } else {
            const auto w = rng::philox(seed, rng::Stream::graph, stream, t, counter++);
            next += 1.0 + std::floor(std::log(rng::uniform_open(w[0], w[1])) / log_q);
          }
          if (next >= static_cast<double>(source_size)) break;
          const auto s = static_cast<std::uint32_t>(next);
          if (same && s == t && !proj.autapses) continue;
          out.push_back({s, t});
        }
      }
      break;
    }
    case ConnectionRule::one_to_one:
      for (std::uint32_t i = 0; i < target_size; ++i) out.push_back({i, i});
      break;
    case ConnectionRule::all_to_all:
      for (std::uint32_t t = 0; t < target_size; ++t)
        for (std::uint32_t s = 0; s < source_size; ++s)
          if (!(same && s == t && !proj.autapses)) out.push_back({s, t});
      break;
  }
  return out;
}

}  // namespace myelin
