// Generator, graph metrics, partition and the per-rank network.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <tuple>

#include "comm/communicator.hpp"
#include "config/config_parser.hpp"
#include "core/random.hpp"
#include "myelin/errors.hpp"
#include "network/generators.hpp"
#include "network/graph_metrics.hpp"
#include "network/local_network.hpp"
#include "network/partition.hpp"
#include "support/synapse_walk.hpp"

namespace myelin {
namespace {

std::set<std::pair<std::uint32_t, std::uint32_t>> undirected_set(const std::vector<Edge>& edges) {
  std::set<std::pair<std::uint32_t, std::uint32_t>> out;
  for (const auto& e : edges)
    out.insert({std::min(e.source, e.target), std::max(e.source, e.target)});
  return out;
}

// The metrics of a whole graph held by one rank.
SmallWorldMetrics metrics_of(std::uint32_t n, const std::vector<Edge>& undirected) {
  std::vector<std::uint32_t> all(n);
  for (std::uint32_t v = 0; v < n; ++v) all[v] = v;
  std::vector<std::pair<std::uint32_t, std::uint32_t>> adjacent;
  for (const Edge& e : undirected) {
    adjacent.emplace_back(e.source, e.target);
    adjacent.emplace_back(e.target, e.source);
  }
  LocalCommunicator comm;
  return small_world_metrics(LocalGraph(n, all, adjacent), comm);
}

// Brute force over an adjacency matrix: the definitions, independent of the distributed code.
SmallWorldMetrics brute_force_metrics(std::uint32_t n, const std::vector<Edge>& undirected) {
  std::vector<std::vector<char>> a(n, std::vector<char>(n, 0));
  for (const Edge& e : undirected) a[e.source][e.target] = a[e.target][e.source] = 1;
  SmallWorldMetrics m;
  double c = 0.0;
  for (std::uint32_t v = 0; v < n; ++v) {
    std::vector<std::uint32_t> nb;
    for (std::uint32_t w = 0; w < n; ++w)
      if (a[v][w]) nb.push_back(w);
    double links = 0.0;
    for (std::size_t i = 0; i < nb.size(); ++i)
      for (std::size_t j = i + 1; j < nb.size(); ++j) links += a[nb[i]][nb[j]];
    const double d = static_cast<double>(nb.size());
    if (nb.size() >= 2) c += links / (d * (d - 1) / 2);
  }
  m.clustering = c / n;
  std::uint64_t total = 0, pairs = 0;
  for (std::uint32_t s = 0; s < n; ++s) {
    std::vector<int> dist(n, -1);
    std::vector<std::uint32_t> queue = {s};
    dist[s] = 0;
    for (std::size_t q = 0; q < queue.size(); ++q)
      for (std::uint32_t w = 0; w < n; ++w)
        if (a[queue[q]][w] && dist[w] < 0) {
          dist[w] = dist[queue[q]] + 1;
          queue.push_back(w);
        }
    for (std::uint32_t v = 0; v < n; ++v)
      if (v != s && dist[v] > 0) total += static_cast<std::uint64_t>(dist[v]), ++pairs;
  }
  m.mean_path_length = static_cast<double>(total) / static_cast<double>(pairs);
  return m;
}

TEST(WattsStrogatz, NoSelfLoopsNoDuplicatesExactEdgeCount) {
  for (const double p : {0.0, 0.1, 0.5, 1.0}) {
    const auto edges = watts_strogatz(500, 10, p, 42, 7);
    EXPECT_EQ(edges.size(), 500u * 5u);
    for (const auto& e : edges) EXPECT_NE(e.source, e.target);
    EXPECT_EQ(undirected_set(edges).size(), edges.size()) << "duplicate edge at p = " << p;
  }
}

TEST(WattsStrogatz, RingAtZeroRewiredFractionNearPAndFirstEdgeCanMove) {
  const auto ring = watts_strogatz(100, 4, 0.0, 1, 7);
  for (const auto& e : ring) {
    const std::uint32_t d = (e.target + 100 - e.source) % 100;
    EXPECT_TRUE(d == 1 || d == 2);
  }
  const std::uint32_t n = 2000, k = 10;
  const double p = 0.3;
  const auto edges = watts_strogatz(n, k, p, 5, 7);
  std::size_t rewired = 0;
  for (std::size_t i = 0; i < edges.size(); ++i) {
    const std::uint32_t j = static_cast<std::uint32_t>(i / n) + 1;
    if (edges[i].target != (edges[i].source + j) % n) ++rewired;
  }
  // Binomial(10000, ~0.3): SD ~46, so +-4 SD is +-0.0184 in fraction.
  EXPECT_NEAR(static_cast<double>(rewired) / static_cast<double>(edges.size()), p, 0.02);
  bool first_moved = false;
  for (std::uint64_t seed = 0; seed < 50 && !first_moved; ++seed)
    first_moved = watts_strogatz(20, 4, 0.5, seed, 7)[0].target != 1;
  EXPECT_TRUE(first_moved) << "edge (0, 1) is never rewired";
}

TEST(WattsStrogatz, DeterministicPerSeedAndValidated) {
  const auto a = watts_strogatz(300, 6, 0.2, 11, 7);
  const auto b = watts_strogatz(300, 6, 0.2, 11, 7);
  const auto c = watts_strogatz(300, 6, 0.2, 12, 7);
  EXPECT_TRUE(std::equal(a.begin(), a.end(), b.begin(), [](auto x, auto y) {
    return x.source == y.source && x.target == y.target;
  }));
  EXPECT_FALSE(std::equal(a.begin(), a.end(), c.begin(), [](auto x, auto y) {
    return x.source == y.source && x.target == y.target;
  }));
  EXPECT_THROW(watts_strogatz(100, 5, 0.1, 1, 7), std::invalid_argument);
  EXPECT_THROW(watts_strogatz(10, 9, 0.1, 1, 7), std::invalid_argument);
  EXPECT_THROW(watts_strogatz(100, 4, 1.5, 1, 7), std::invalid_argument);
  EXPECT_NO_THROW(watts_strogatz(6, 4, 1.0, 1, 7));  // dense: rewiring must still terminate
  for (const std::uint32_t n : {6u, 7u, 9u, 10u})    // k = n - 2 or n - 3: the densest allowed
    for (const double p : {0.5, 1.0}) {
      const int k = static_cast<int>(n % 2 == 0 ? n - 2 : n - 3);
      const auto dense = watts_strogatz(n, k, p, 3, 7);
      EXPECT_EQ(undirected_set(dense).size(), dense.size()) << "n = " << n << ", p = " << p;
      for (const auto& e : dense) EXPECT_NE(e.source, e.target);
    }
}

TEST(WattsStrogatz, AnyVertexRangeGeneratesTheSameEdges) {
  // A rank generating only its own vertices gets exactly the global graph's edges of them.
  const auto whole = watts_strogatz(301, 8, 0.4, 21, 9);
  std::vector<ForwardEdge> part;
  for (std::uint32_t u = 150; u < 160; ++u) {
    part.clear();
    watts_strogatz_edges_of(301, 8, 0.4, 21, 9, u, part);
    ASSERT_EQ(part.size(), 4u);
    for (const ForwardEdge& e : part)
      EXPECT_EQ(whole[static_cast<std::size_t>(e.slot - 1) * 301 + u].target, e.target);
  }
}

TEST(WattsStrogatz, RewiredEndsAreUniformOverTheForwardHalfRing) {
  // At p = 1 every edge of u lands on u + d, d uniform over 1..(n-1)/2 minus u's own earlier
  // picks: the distance histogram is flat (chi-square over 10 bins, 9 dof: 99.9 % below 27.9).
  const std::uint32_t n = 2001;
  const auto edges = watts_strogatz(n, 4, 1.0, 5, 7);
  std::vector<double> bins(10, 0.0);
  for (const auto& e : edges) {
    const std::uint32_t d = (e.target + n - e.source) % n;
    ASSERT_GE(d, 1u);
    ASSERT_LE(d, (n - 1) / 2);
    bins[(d - 1) * 10 / ((n - 1) / 2)] += 1.0;
  }
  const double expected = static_cast<double>(edges.size()) / 10.0;
  double chi2 = 0.0;
  for (const double b : bins) chi2 += (b - expected) * (b - expected) / expected;
  EXPECT_LT(chi2, 27.9);
}

TEST(GraphMetrics, RingLatticeClusteringIsExact) {
  for (const int k : {4, 6, 10}) {
    const auto m = metrics_of(200, watts_strogatz(200, k, 0.0, 1, 7));
    EXPECT_NEAR(m.clustering, 3.0 * (k - 2) / (4.0 * (k - 1)), 1e-12) << "k = " << k;
    EXPECT_EQ(m.clustering_vertices, 200u);
  }
}

TEST(GraphMetrics, ClusteringAndPathLengthFallWithP) {
  const std::uint32_t n = 1000;
  const auto m0 = metrics_of(n, watts_strogatz(n, 10, 0.0, 1, 7));
  const auto m01 = metrics_of(n, watts_strogatz(n, 10, 0.01, 1, 7));
  const auto m1 = metrics_of(n, watts_strogatz(n, 10, 1.0, 1, 7));
  EXPECT_NEAR(m0.mean_path_length, 50.45, 0.1);                // ring: about n / (2k) + 0.5
  EXPECT_LT(m01.mean_path_length / m0.mean_path_length, 0.8);  // the small-world regime
  EXPECT_GT(m01.clustering / m0.clustering, 0.9);
  EXPECT_LT(m1.clustering, 0.05);
  EXPECT_LT(m1.mean_path_length, 4.0);
}

TEST(GraphMetrics, DistributedCodeMatchesTheDefinitions) {
  for (const double p : {0.0, 0.1, 0.7}) {
    const auto edges = watts_strogatz(150, 6, p, 4, 7);
    const auto fast = metrics_of(150, edges);
    const auto slow = brute_force_metrics(150, edges);
    EXPECT_NEAR(fast.clustering, slow.clustering, 1e-12) << "p = " << p;
    EXPECT_NEAR(fast.mean_path_length, slow.mean_path_length, 1e-12) << "p = " << p;
  }
}

// The classic sequential Watts-Strogatz rewiring (networkx's watts_strogatz_graph: each lattice
// edge (u, u + j), j outer, u inner, moves its far end with probability p to a uniform vertex
// not yet joined to u): the reference the distributable generator must agree with statistically.
std::vector<Edge> sequential_watts_strogatz(std::uint32_t n, int k, double p, std::uint32_t seed) {
  std::set<std::pair<std::uint32_t, std::uint32_t>> present;
  std::vector<Edge> edges;
  auto key = [](std::uint32_t a, std::uint32_t b) {
    return std::pair{std::min(a, b), std::max(a, b)};
  };
  for (int j = 1; j <= k / 2; ++j)
    for (std::uint32_t u = 0; u < n; ++u) {
      edges.push_back({u, (u + static_cast<std::uint32_t>(j)) % n});
      present.insert(key(u, edges.back().target));
    }
  std::uint32_t counter = 0;
  auto uniform = [&]() {
    const auto w = rng::philox(seed, rng::Stream::graph, 999, counter++, 0);
    return rng::uniform_open(w[0], w[1]);
  };
  for (Edge& e : edges) {
    if (uniform() >= p) continue;
    while (true) {
      const auto w = static_cast<std::uint32_t>(uniform() * n);
      if (w == e.source || present.count(key(e.source, w))) continue;
      present.erase(key(e.source, e.target));
      present.insert(key(e.source, w));
      e.target = w;
      break;
    }
  }
  return edges;
}

// Watts & Strogatz (1998), Fig. 2: C(p)/C(0) stays near 1 while L(p)/L(0) collapses. Checked
// against the sequential algorithm (means over 3 seeds each) and, for C, the closed form
// C(p)/C(0) = (1 - p)^3 (Barrat & Weigt 2000).
TEST(GraphMetrics, ClusteringAndPathLengthMatchSequentialWattsStrogatz) {
  const std::uint32_t n = 2000;
  const int k = 10;
  const double c0 = 3.0 * (k - 2) / (4.0 * (k - 1));
  for (const double p : {0.003, 0.01, 0.03, 0.1, 0.3, 1.0}) {
    double c = 0.0, l = 0.0, c_ref = 0.0, l_ref = 0.0;
    const int seeds = 3;
    for (int seed = 0; seed < seeds; ++seed) {
      const auto m = metrics_of(n, watts_strogatz(n, k, p, 100 + seed, 7));
      const auto r = metrics_of(n, sequential_watts_strogatz(n, k, p, 200 + seed));
      c += m.clustering / seeds;
      l += m.mean_path_length / seeds;
      c_ref += r.clustering / seeds;
      l_ref += r.mean_path_length / seeds;
    }
    EXPECT_NEAR(c / c0, std::pow(1.0 - p, 3), 0.03) << "p = " << p;
    EXPECT_NEAR(c, c_ref, 0.02) << "p = " << p;
    // Seed-to-seed spread of L at p = 0.003 (a handful of shortcuts) is ~10 %; above, ~2 %.
    EXPECT_NEAR(l / l_ref, 1.0, p < 0.01 ? 0.15 : 0.05)
        << "p = " << p << ": L = " << l << ", sequential " << l_ref;
  }
}

std::vector<int> ranks_of(PartitionMethod method, int n_ranks,
                          const std::vector<Partition::WeightRun>& runs) {
  std::uint64_t n = 0;
  for (const auto& r : runs) n += r.size;
  const Partition partition(method, n_ranks, n, runs);
  std::vector<int> out;
  std::vector<std::uint32_t> next_local(static_cast<std::size_t>(n_ranks), 0);
  for (Gid g = 0; g < n; ++g) {
    out.push_back(partition.rank_of(g));
    // Local indices count each rank's neurons in ascending gid order.
    EXPECT_EQ(partition.local_index(g), next_local[static_cast<std::size_t>(out.back())]++);
  }
  for (int r = 0; r < n_ranks; ++r) {
    EXPECT_EQ(partition.neurons_of(r), next_local[static_cast<std::size_t>(r)]);
    const auto owned = partition.owned(r, 0, n);
    EXPECT_EQ(owned.size(), partition.neurons_of(r));
    for (const Gid g : owned) EXPECT_EQ(partition.rank_of(g), r);
  }
  return out;
}

TEST(Partition, Methods) {
  const std::vector<Partition::WeightRun> flat = {{0, 8, 1}};
  EXPECT_EQ(ranks_of(PartitionMethod::contiguous, 2, flat),
            (std::vector<int>{0, 0, 0, 0, 1, 1, 1, 1}));
  EXPECT_EQ(ranks_of(PartitionMethod::round_robin, 3, flat),
            (std::vector<int>{0, 1, 2, 0, 1, 2, 0, 1}));
  // Three neurons of weight 31 (30 expected inputs + 1), then seven of weight 1: balanced
  // blocks put the midpoint of the total weight (100) at the boundary.
  const std::vector<Partition::WeightRun> skewed = {{0, 3, 31}, {3, 7, 1}};
  const auto balanced = ranks_of(PartitionMethod::balanced, 2, skewed);
  EXPECT_EQ(balanced, (std::vector<int>{0, 0, 1, 1, 1, 1, 1, 1, 1, 1}));
  auto max_load = [&](const std::vector<int>& r) {
    std::uint64_t load[2] = {0, 0};
    for (std::size_t g = 0; g < r.size(); ++g) load[r[g]] += g < 3 ? 31 : 1;
    return std::max(load[0], load[1]);
  };
  EXPECT_LT(max_load(balanced), max_load(ranks_of(PartitionMethod::contiguous, 2, skewed)));
  const auto many = ranks_of(PartitionMethod::contiguous, 8, {{0, 3, 1}});
  EXPECT_EQ(many.size(), 3u);
  for (const int r : many) EXPECT_LT(r, 8);
  // Balanced over many ranks and uneven runs: every rank's weight within one neuron's weight
  // of the mean.
  const std::vector<Partition::WeightRun> mixed = {{0, 1000, 5}, {1000, 300, 40}, {1300, 77, 2}};
  const auto r7 = ranks_of(PartitionMethod::balanced, 7, mixed);
  std::vector<double> load(7, 0.0);
  for (std::size_t g = 0; g < r7.size(); ++g) load[r7[g]] += g < 1000 ? 5 : g < 1300 ? 40 : 2;
  const double mean = (1000 * 5 + 300 * 40 + 77 * 2) / 7.0;
  for (const double l : load) EXPECT_NEAR(l, mean, 40.0);
}

const char* network_config = R"(
[simulation]
seed = 9
[population.a]
model = "lif"
size = 60
[population.b]
model = "lif"
size = 25
[projection.ring]
source = "a"
target = "a"
rule = "small_world"
k = 6
p = 0.3
weight = { uniform = [0.1, 0.2] }
delay = { uniform = [0.5, 2.0] }
[projection.ab]
source = "a"
target = "b"
rule = "fixed_probability"
p = 0.2
weight = -0.3
delay = 1.0
[projection.bb]
source = "b"
target = "b"
rule = "all_to_all"
weight = 0.05
[projection.one]
source = "b"
target = "b"
rule = "one_to_one"
weight = 0.01
delay = 0.3
)";

using Synapse = std::tuple<Gid, Gid, double, std::uint32_t>;

// Every synapse of one rank as (source gid, target gid, weight, delay), sorted by (target,
// source) keeping each target's input order.
std::vector<Synapse> synapses_of(const LocalNetwork& net) {
  std::vector<Synapse> out;
  for_each_static_synapse(
      net, [&](Gid s, Gid t, double w, std::uint32_t d) { out.emplace_back(s, t, w, d); });
  std::stable_sort(out.begin(), out.end(), [](const Synapse& x, const Synapse& y) {
    return std::tie(std::get<1>(x), std::get<0>(x)) < std::tie(std::get<1>(y), std::get<0>(y));
  });
  return out;
}

TEST(LocalNetwork, ThreadsHoldTheSameSynapsesInTheSameOrder) {
  // Other rank counts: tests/mpi/test_network_split.cpp. The second config's delays span far
  // more steps than a row has synapses (rows ordered by comparison sort, not counting sort).
  for (const auto& overrides : std::vector<std::vector<std::string>>{
           {}, {"projection.ab.delay={ uniform = [0.1, 1000.0] }"}}) {
    const Config config = parse_config(network_config, overrides);
    LocalCommunicator comm;
    const LocalNetwork net = build_local_network(config, comm, 1);
    const auto reference = synapses_of(net);
    ASSERT_EQ(reference.size(), net.partition.total_synapses);
    for (const auto& ts : net.thread_synapses)  // runs ascend by delay inside each row
      for (std::size_t r = 0; r + 1 < ts.row_run.size(); ++r)
        for (auto run = ts.row_run[r] + 1; run < ts.row_run[r + 1]; ++run)
          ASSERT_LT(ts.run_delay[run - 1], ts.run_delay[run]);
    for (const int threads : {2, 3, 7})
      EXPECT_EQ(synapses_of(build_local_network(config, comm, threads)), reference)
          << threads << " threads";
  }
}

TEST(LocalNetwork, SmallWorldSynapsesAreTheGeneratorsEdgesBothWays) {
  const Config config = parse_config(network_config, {});
  LocalCommunicator comm;
  const auto all = synapses_of(build_local_network(config, comm, 2));
  std::set<std::pair<Gid, Gid>> ring;
  for (const auto& [s, t, w, d] : all)
    if (s < 60 && t < 60) {
      EXPECT_TRUE(ring.insert({s, t}).second) << "duplicate " << s << " -> " << t;
      EXPECT_GE(w, 0.1);
      EXPECT_LE(w, 0.2);
      EXPECT_GE(d, 5u);
      EXPECT_LE(d, 20u);
    }
  const auto edges = watts_strogatz(60, 6, 0.3, 9, rng::name_hash("ring"));
  ASSERT_EQ(ring.size(), 2 * edges.size());
  for (const Edge& e : edges) {
    EXPECT_TRUE(ring.count({e.source, e.target}));
    EXPECT_TRUE(ring.count({e.target, e.source}));
  }
}

TEST(LocalNetwork, CountsDelaysAndSummaries) {
  const Config config = parse_config(network_config, {});
  LocalCommunicator comm;
  const LocalNetwork net = build_local_network(config, comm, 1);
  std::map<std::string, std::uint64_t> n;
  for (const auto& p : net.projections) n[p.name] = p.n_synapses;
  EXPECT_EQ(n["ring"], 60u * 6u);  // symmetric: k synapses per neuron
  EXPECT_EQ(n["bb"], 25u * 24u);   // no autapses
  EXPECT_EQ(n["one"], 25u);
  EXPECT_NEAR(static_cast<double>(n["ab"]), 0.2 * 60 * 25, 4 * std::sqrt(0.2 * 0.8 * 60 * 25));
  EXPECT_EQ(net.min_delay, 3);   // 0.3 ms
  EXPECT_EQ(net.max_delay, 20);  // 2.0 ms
  EXPECT_EQ(net.partition.neurons_per_rank, (std::vector<std::uint64_t>{85}));
  EXPECT_EQ(net.partition.synapses_per_rank[0], net.partition.total_synapses);
  EXPECT_EQ(net.partition.edge_cut, 0u);
  ASSERT_EQ(net.projections[3].name, "ring");  // sorted by name: ab, bb, one, ring
  EXPECT_TRUE(net.projections[3].clustering.has_value());
  EXPECT_FALSE(net.projections[0].clustering.has_value());
  // Static synapses: 12 bytes each plus the row and run tables.
  std::uint64_t bytes = 0, synapses = 0;
  for (const auto& ts : net.thread_synapses) bytes += ts.bytes(), synapses += ts.size();
  EXPECT_EQ(synapses, net.partition.total_synapses);
  EXPECT_GE(bytes, 12 * synapses);
}

// (source, target) of every synapse of a one-rank network with one projection `rule_text`
// from a (size 300) onto b (size 200).
std::vector<std::pair<Gid, Gid>> pairs_of(const std::string& rule_text, const std::string& target) {
  const Config config = parse_config(
      "[population.a]\nmodel = \"lif\"\nsize = 300\n[population.b]\nmodel = \"lif\"\nsize = "
      "200\n[projection.x]\nsource = \"a\"\ntarget = \"" +
          target + "\"\nweight = 0.1\n" + rule_text,
      {});
  LocalCommunicator comm;
  std::vector<std::pair<Gid, Gid>> out;
  for (const auto& [s, t, w, d] : synapses_of(build_local_network(config, comm, 2)))
    out.emplace_back(s, t);
  return out;
}

TEST(ConnectionRules, FixedIndegreeGivesEveryTargetExactlyKSources) {
  for (const bool multapses : {true, false}) {
    const auto pairs =
        pairs_of(std::string("rule = \"fixed_indegree\"\nindegree = 40\nmultapses = ") +
                     (multapses ? "true" : "false") + "\n",
                 "a");
    std::map<Gid, std::vector<Gid>> in;
    for (const auto& [s, t] : pairs) in[t].push_back(s);
    ASSERT_EQ(in.size(), 300u);
    std::vector<double> per_source(300, 0.0);
    for (auto& [t, sources] : in) {
      EXPECT_EQ(sources.size(), 40u);
      for (const Gid s : sources) {
        EXPECT_NE(s, t) << "autapse";  // autapses default to false
        per_source[s] += 1.0;
      }
      std::sort(sources.begin(), sources.end());
      if (!multapses) {
        EXPECT_EQ(std::adjacent_find(sources.begin(), sources.end()), sources.end());
      }
    }
    // Sources uniform: chi-square with 299 dof, 99.9 % quantile 386.
    double chi2 = 0.0;
    for (const double c : per_source) chi2 += (c - 40.0) * (c - 40.0) / 40.0;
    EXPECT_LT(chi2, 386.0);
  }
}

TEST(ConnectionRules, FixedOutdegreeGivesEverySourceExactlyKTargets) {
  const auto pairs =
      pairs_of("rule = \"fixed_outdegree\"\noutdegree = 25\nmultapses = false\n", "b");
  std::map<Gid, std::set<Gid>> out;
  for (const auto& [s, t] : pairs) {
    EXPECT_GE(t, 300u);
    EXPECT_TRUE(out[s].insert(t).second) << "multapse " << s << " -> " << t;
  }
  ASSERT_EQ(out.size(), 300u);
  for (const auto& [s, targets] : out) EXPECT_EQ(targets.size(), 25u);
}

TEST(ConnectionRules, FixedTotalNumberIsExactAndMultinomialOverTargets) {
  const std::uint64_t n = 50000;
  const auto pairs = pairs_of("rule = \"fixed_total_number\"\nn = 50000\n", "b");
  ASSERT_EQ(pairs.size(), n);
  std::vector<double> per_target(200, 0.0), per_source(300, 0.0);
  for (const auto& [s, t] : pairs) per_target[t - 300] += 1.0, per_source[s] += 1.0;
  // Multinomial(n, 1/200) per target: mean 250, variance 250 (1 - 1/200) = 248.75.
  double mean = 0.0, var = 0.0;
  for (const double c : per_target) mean += c / 200.0;
  for (const double c : per_target) var += (c - mean) * (c - mean) / 199.0;
  EXPECT_DOUBLE_EQ(mean, 250.0);
  EXPECT_NEAR(var / 248.75, 1.0, 0.35);  // the sample variance of 200 counts: SD ~10 %
  double chi2 = 0.0;
  const double e = static_cast<double>(n) / 300.0;
  for (const double c : per_source) chi2 += (c - e) * (c - e) / e;
  EXPECT_LT(chi2, 386.0);  // 299 dof, 99.9 %
  // Without multapses: distinct pairs, even near the capacity (60,000 pairs).
  const auto dense = pairs_of("rule = \"fixed_total_number\"\nn = 55000\nmultapses = false\n", "b");
  ASSERT_EQ(dense.size(), 55000u);
  const std::set<std::pair<Gid, Gid>> distinct(dense.begin(), dense.end());
  EXPECT_EQ(distinct.size(), 55000u);
}

TEST(ConnectionRules, BinomialMeanAndVarianceForSmallAndLargeMeans) {
  for (const auto& [n, p] : std::vector<std::pair<std::uint64_t, double>>{
           {20, 0.3}, {1000, 0.01}, {100000, 0.5}, {1000000, 0.9}}) {
    double m = 0.0, m2 = 0.0;
    const int draws = 20000;
    for (int i = 0; i < draws; ++i) {
      const double x =
          static_cast<double>(binomial(n, p, rng::philox(1, rng::Stream::graph, 5, i, 0)));
      m += x / draws;
      m2 += x * x / draws;
    }
    const double mean = static_cast<double>(n) * p, var = mean * (1 - p);
    EXPECT_NEAR(m, mean, 5 * std::sqrt(var / draws)) << n << " " << p;
    EXPECT_NEAR((m2 - m * m) / var, 1.0, 0.06) << n << " " << p;
  }
}

TEST(ConnectionRules, NumbersThatCannotBeMetAreRefusedByName) {
  const std::string head =
      "[population.a]\nmodel = \"lif\"\nsize = 10\n[projection.x]\nsource = \"a\"\ntarget = "
      "\"a\"\nweight = 0.1\n";
  try {
    parse_config(head + "rule = \"fixed_indegree\"\nindegree = 10\nmultapses = false\n", {});
    FAIL() << "accepted";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("projection.x.indegree = 10: must be <= 9"),
              std::string::npos)
        << e.what();
  }
  EXPECT_THROW(parse_config(head + "rule = \"fixed_total_number\"\nn = -1\n", {}), InputError);
  EXPECT_THROW(parse_config(head + "rule = \"fixed_outdegree\"\n", {}), InputError);
  EXPECT_THROW(parse_config(head + "rule = \"fixed_indegree\"\nindegree = 3\nk = 2\n", {}),
               InputError);
}

}  // namespace
}  // namespace myelin
