// Distributed construction against the whole network built in one process: every rank holds
// exactly the synapses onto its own neurons (same sources, weights, delays, same order per
// target), the small-world measures and plastic columns are the same, and nothing depends on
// the partition method or the threads.

#include <gtest/gtest.h>

#include <map>
#include <tuple>

#include "comm/mpi_communicator.hpp"
#include "config/config_parser.hpp"
#include "network/local_network.hpp"
#include "support/synapse_walk.hpp"

namespace myelin {
namespace {

const char* config_text = R"(
[simulation]
seed = 31
[population.a]
model = "lif"
size = 300
[population.b]
model = "lif"
size = 41
[projection.ring]
source = "a"
target = "a"
rule = "small_world"
k = 8
p = 0.25
weight = { uniform = [0.1, 0.2] }
delay = { uniform = [0.5, 2.0] }
[projection.directed]
source = "b"
target = "b"
rule = "small_world"
k = 4
p = 0.5
symmetric = false
weight = 0.2
[projection.ab]
source = "a"
target = "b"
rule = "fixed_probability"
p = 0.2
weight = { uniform = [-0.4, -0.2] }
delay = { uniform = [1.0, 3.0] }
plasticity = { rule = "additive", w_min = -1.0, w_max = 0.0 }
[projection.ba]
source = "b"
target = "a"
rule = "all_to_all"
weight = 0.05
[projection.in_fixed]
source = "b"
target = "a"
rule = "fixed_indegree"
indegree = 7
multapses = false
weight = { uniform = [0.0, 1.0] }
[projection.out_fixed]
source = "a"
target = "a"
rule = "fixed_outdegree"
outdegree = 5
weight = { uniform = [0.0, 1.0] }
delay = { uniform = [0.5, 1.0] }
[projection.total]
source = "a"
target = "b"
rule = "fixed_total_number"
n = 5000
weight = { uniform = [0.0, 1.0] }
[projection.same_port]
source = "b"
target = "b"
rule = "one_to_one"
weight = 0.01
delay = 0.3
)";

using Input = std::tuple<Gid, double, std::uint32_t>;  // source, weight, delay

// Per target gid, its static inputs in row order (sources ascending, then delay runs, then
// generation order), and per plastic column (source, target, delay).
struct View {
  std::map<Gid, std::vector<Input>> inputs;
  std::map<std::uint64_t, std::tuple<std::uint64_t, std::uint64_t, double>> columns;
};

View view_of(const LocalNetwork& net) {
  View v;
  for_each_static_synapse(
      net, [&](Gid s, Gid t, double w, std::uint32_t d) { v.inputs[t].emplace_back(s, w, d); });
  for (const auto& pp : net.plastic)
    for (std::size_t i = 0; i < pp.columns.size(); ++i)
      v.columns[pp.columns[i]] = {pp.source[i], pp.target[i], pp.delay_ms[i]};
  return v;
}

TEST(NetworkSplit, EveryRankHoldsExactlyItsShareOfTheWholeNetwork) {
  auto world = MpiCommunicator::world();
  for (const char* method : {"contiguous", "round_robin", "balanced"}) {
    const Config config =
        parse_config(config_text, {std::string("partition.method=\"") + method + "\""});
    LocalCommunicator local;
    const LocalNetwork whole = build_local_network(config, local, 1);
    const View reference = view_of(whole);
    for (const int threads : {1, 3}) {
      const LocalNetwork mine = build_local_network(config, world, threads);
      const View view = view_of(mine);
      // Every target of this rank, and only those, with identical inputs in identical order.
      std::size_t targets = 0;
      for (const auto& [gid, inputs] : view.inputs) {
        ASSERT_EQ(mine.partition_map.rank_of(gid), world.rank()) << method;
        ASSERT_TRUE(reference.inputs.count(gid)) << method << " gid " << gid;
        EXPECT_EQ(inputs, reference.inputs.at(gid)) << method << " gid " << gid;
        ++targets;
      }
      std::size_t expected_targets = 0;
      for (const auto& [gid, inputs] : reference.inputs)
        if (mine.partition_map.rank_of(gid) == world.rank()) ++expected_targets;
      EXPECT_EQ(targets, expected_targets) << method;
      // Plastic columns: this rank's are the reference's at the same positions.
      for (const auto& [column, synapse] : view.columns) {
        ASSERT_TRUE(reference.columns.count(column)) << method;
        EXPECT_EQ(synapse, reference.columns.at(column)) << method << " column " << column;
      }
      EXPECT_EQ(world.sum(view.columns.size()), reference.columns.size()) << method;
      EXPECT_EQ(mine.plastic[0].n_synapses, whole.plastic[0].n_synapses);
      // Agreed summaries.
      EXPECT_EQ(mine.partition.total_synapses, whole.partition.total_synapses);
      for (std::size_t j = 0; j < whole.projections.size(); ++j) {
        EXPECT_EQ(mine.projections[j].n_synapses, whole.projections[j].n_synapses);
        EXPECT_EQ(mine.projections[j].clustering, whole.projections[j].clustering);
        EXPECT_EQ(mine.projections[j].mean_path_length, whole.projections[j].mean_path_length);
      }
      std::uint64_t cut = 0;
      for (const auto& [gid, inputs] : view.inputs)
        for (const auto& in : inputs)
          if (mine.partition_map.rank_of(std::get<0>(in)) != world.rank()) ++cut;
      for (const auto& [column, synapse] : view.columns)  // plastic "ab": sources in a (gid 0..)
        if (mine.partition_map.rank_of(static_cast<Gid>(std::get<0>(synapse))) != world.rank())
          ++cut;
      EXPECT_EQ(mine.partition.edge_cut, world.sum(cut));
      // One bit per neuron for the source lookup is the only structure of global size.
      EXPECT_LE(mine.sources.bytes(), mine.n_global / 8 + mine.n_global / 128 + 64);
    }
  }
}

}  // namespace
}  // namespace myelin
