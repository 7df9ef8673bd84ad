// Generator, graph metrics, partition and the per-rank network.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <tuple>

#include "config/config_parser.hpp"
#include "network/generators.hpp"
#include "network/graph_metrics.hpp"
#include "network/local_network.hpp"
#include "network/partition.hpp"

namespace myelin {
namespace {

std::set<std::pair<std::uint32_t, std::uint32_t>> undirected_set(const std::vector<Edge>& edges) {
  std::set<std::pair<std::uint32_t, std::uint32_t>> out;
  for (const auto& e : edges)
    out.insert({std::min(e.source, e.target), std::max(e.source, e.target)});
  return out;
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
}

TEST(GraphMetrics, RingLatticeClusteringIsExact) {
  for (const int k : {4, 6, 10}) {
    const auto m = small_world_metrics(200, watts_strogatz(200, k, 0.0, 1, 7));
    EXPECT_NEAR(m.clustering, 3.0 * (k - 2) / (4.0 * (k - 1)), 1e-12) << "k = " << k;
    EXPECT_EQ(m.clustering_vertices, 200u);
  }
}

TEST(GraphMetrics, ClusteringAndPathLengthFallWithP) {
  const std::uint32_t n = 1000;
  const auto m0 = small_world_metrics(n, watts_strogatz(n, 10, 0.0, 1, 7));
  const auto m01 = small_world_metrics(n, watts_strogatz(n, 10, 0.01, 1, 7));
  const auto m1 = small_world_metrics(n, watts_strogatz(n, 10, 1.0, 1, 7));
  EXPECT_NEAR(m0.mean_path_length, 50.45, 0.1);                // ring: about n / (2k) + 0.5
  EXPECT_LT(m01.mean_path_length / m0.mean_path_length, 0.8);  // the small-world regime
  EXPECT_GT(m01.clustering / m0.clustering, 0.9);
  EXPECT_LT(m1.clustering, 0.05);
  EXPECT_LT(m1.mean_path_length, 4.0);
}

TEST(Partition, Methods) {
  const std::vector<std::uint64_t> deg = {10, 0, 0, 0, 0, 0, 0, 10};
  EXPECT_EQ(partition_gids(PartitionMethod::contiguous, 2, deg),
            (std::vector<int>{0, 0, 0, 0, 1, 1, 1, 1}));
  EXPECT_EQ(partition_gids(PartitionMethod::round_robin, 3, deg),
            (std::vector<int>{0, 1, 2, 0, 1, 2, 0, 1}));
  const std::vector<std::uint64_t> skewed = {30, 30, 30, 0, 0, 0, 0, 0, 0, 0};
  const auto balanced = partition_gids(PartitionMethod::balanced, 2, skewed);
  const auto contiguous = partition_gids(PartitionMethod::contiguous, 2, skewed);
  auto max_load = [&](const std::vector<int>& r) {
    std::uint64_t load[2] = {0, 0};
    for (std::size_t g = 0; g < r.size(); ++g) load[r[g]] += skewed[g] + 1;
    return std::max(load[0], load[1]);
  };
  EXPECT_LT(max_load(balanced), max_load(contiguous));
  const auto many =
      partition_gids(PartitionMethod::contiguous, 8, std::vector<std::uint64_t>(3, 0));
  EXPECT_EQ(many.size(), 3u);
  for (const int r : many) EXPECT_LT(r, 8);
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

// Every synapse of every rank as (source gid, target gid, weight, delay), and per target the
// order in which its inputs sit in the rows.
std::vector<Synapse> all_synapses(const Config& config, int ranks, int threads) {
  std::vector<Synapse> out;
  for (int r = 0; r < ranks; ++r) {
    const LocalNetwork net = build_local_network(config, r, ranks, threads);
    std::vector<Gid> gid_of(net.n_local);
    for (std::size_t p = 0; p < net.local_gids.size(); ++p)
      for (std::size_t i = 0; i < net.local_gids[p].size(); ++i)
        gid_of[net.population_offset[p] + i] = net.local_gids[p][i];
    for (const auto& ts : net.thread_synapses)
      for (Gid s = 0; s < net.n_global; ++s)
        for (auto j = ts.row_begin[s]; j < ts.row_begin[s + 1]; ++j)
          out.emplace_back(s, gid_of[ts.target[j]], ts.weight[j], ts.delay[j]);
  }
  std::stable_sort(out.begin(), out.end(), [](const Synapse& x, const Synapse& y) {
    return std::tie(std::get<1>(x), std::get<0>(x)) < std::tie(std::get<1>(y), std::get<0>(y));
  });
  return out;
}

TEST(LocalNetwork, EverySplitHoldsTheSameSynapsesInTheSameOrder) {
  const Config config = parse_config(network_config, {});
  const auto reference = all_synapses(config, 1, 1);
  ASSERT_EQ(reference.size(), build_local_network(config, 0, 1, 1).partition.total_synapses);
  for (const auto& [ranks, threads] :
       std::vector<std::pair<int, int>>{{1, 2}, {2, 1}, {3, 2}, {4, 1}, {7, 3}})
    EXPECT_EQ(all_synapses(config, ranks, threads), reference)
        << ranks << " ranks x " << threads << " threads";
}

TEST(LocalNetwork, CountsDelaysAndSummaries) {
  const Config config = parse_config(network_config, {});
  const LocalNetwork net = build_local_network(config, 0, 2, 1);
  std::map<std::string, std::uint64_t> n;
  for (const auto& p : net.projections) n[p.name] = p.n_synapses;
  EXPECT_EQ(n["ring"], 60u * 6u);  // symmetric: k synapses per neuron
  EXPECT_EQ(n["bb"], 25u * 24u);   // no autapses
  EXPECT_EQ(n["one"], 25u);
  EXPECT_NEAR(static_cast<double>(n["ab"]), 0.2 * 60 * 25, 4 * std::sqrt(0.2 * 0.8 * 60 * 25));
  EXPECT_EQ(net.min_delay, 3);   // 0.3 ms
  EXPECT_EQ(net.max_delay, 20);  // 2.0 ms
  EXPECT_EQ(net.partition.neurons_per_rank, (std::vector<std::uint64_t>{43, 42}));
  std::uint64_t total = 0;
  for (const auto s : net.partition.synapses_per_rank) total += s;
  EXPECT_EQ(total, net.partition.total_synapses);
  ASSERT_EQ(net.projections[3].name, "ring");  // sorted by name: ab, bb, one, ring
  EXPECT_TRUE(net.projections[3].clustering.has_value());
  EXPECT_FALSE(net.projections[0].clustering.has_value());
}

TEST(LocalNetwork, EdgeCutOfARingUnderContiguousBlocks) {
  // Ring lattice n = 12, k = 2, two blocks of 6: exactly the two boundary edges are cut, each
  // in both directions.
  const Config config = parse_config(
      "[population.a]\nmodel = \"lif\"\nsize = 12\n"
      "[projection.r]\nsource = \"a\"\ntarget = \"a\"\nrule = \"small_world\"\nk = 2\np = "
      "0.0\nweight = 1.0\n",
      {});
  EXPECT_EQ(build_local_network(config, 0, 2, 1).partition.edge_cut, 4u);
}

}  // namespace
}  // namespace myelin
