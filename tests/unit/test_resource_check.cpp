// Estimates before work: synapse counts per rule, memory per rank, output size, index limits;
// and the stop request that signals set.

#include <gtest/gtest.h>

#include <csignal>
#include <string>

#include "app/resource_check.hpp"
#include "config/config_parser.hpp"
#include "core/memory_costs.hpp"
#include "core/stop_request.hpp"
#include "myelin/errors.hpp"
#include "myelin/health.hpp"

namespace myelin {
namespace {

const char* base = R"(
[simulation]
dt = 0.1
t_stop = 100.0
[population.a]
model = "lif"
size = 1000
[population.b]
model = "lif"
size = 500
[projection.ring]
source = "a"
target = "a"
rule = "small_world"
k = 10
p = 0.1
weight = 0.1
delay = 1.5
[projection.ab]
source = "a"
target = "b"
rule = "fixed_probability"
p = 0.2
weight = 0.1
delay = 2.0
[output]
file = "x.h5"
[output.traces.b]
variables = ["V_m"]
neurons = "all"
interval = 1.0
)";

std::string message_of(const std::vector<std::string>& overrides) {
  try {
    estimate_resources(parse_config(base, overrides), 1, 1);
  } catch (const InputError& e) {
    return e.what();
  }
  return "no error";
}

TEST(ResourceEstimate, CountsSynapsesOfEveryRule) {
  const ResourceEstimate e = estimate_resources(parse_config(base, {}), 1, 1);
  EXPECT_EQ(e.neurons, 1500U);
  EXPECT_DOUBLE_EQ(e.synapses, 1000.0 * 10 + 0.2 * 1000 * 500);
  EXPECT_EQ(e.max_delay_steps, 20U);
  // 500 neurons x 1 variable x 100 samples of 8 bytes.
  EXPECT_DOUBLE_EQ(e.output_bytes, 500.0 * 100 * 8);
  std::string text = base;
  text.replace(text.find("rule = \"fixed_probability\"\np = 0.2"),
               std::string("rule = \"fixed_probability\"\np = 0.2").size(),
               "rule = \"all_to_all\"");
  const ResourceEstimate all =
      estimate_resources(parse_config(text, {"projection.ring.symmetric=false"}), 1, 1);
  EXPECT_DOUBLE_EQ(all.synapses, 1000.0 * 5 + 1000.0 * 500);
  EXPECT_GT(all.memory_per_rank, e.memory_per_rank);
}

TEST(ResourceEstimate, MoreRanksNeedLessSteadyStateMemoryPerRank) {
  const Config config = parse_config(base, {"population.a.size=200000", "projection.ab.p=0.001"});
  const ResourceEstimate one = estimate_resources(config, 1, 1);
  const ResourceEstimate four = estimate_resources(config, 4, 1);
  EXPECT_NEAR(four.memory_synapses * 4, one.memory_synapses, one.memory_synapses * 1e-9);
  EXPECT_LT(four.memory_ring, one.memory_ring);
  // At least the synapses at the constant per-synapse cost.
  EXPECT_GE(one.memory_per_rank, one.synapses * memory_costs::static_synapse);
}

TEST(ResourceEstimate, RefusesSizesThatOverflowIndexTypes) {
  EXPECT_NE(message_of({"population.a.size=2147483648", "population.b.size=2147483648"})
                .find("the limit of neuron ids (uint32)"),
            std::string::npos);
  const std::string delay = message_of({"projection.ab.delay=1e9"});
  EXPECT_EQ(delay.rfind("projection.ab.delay = 1e+09: ", 0), 0U) << delay;
  EXPECT_NE(delay.find("uint32 steps"), std::string::npos) << delay;
  EXPECT_NE(message_of({"simulation.t_stop=1e300"}).find("simulation.t_stop"), std::string::npos);
}

TEST(ResourceEstimate, AvailableMemoryIsFiniteAndNamesItsSource) {
  std::string source;
  const double one = available_memory(1, &source);
  EXPECT_GT(one, 0.0);
  EXPECT_LT(one, 1e18);
  EXPECT_FALSE(source.empty());
  EXPECT_LE(available_memory(4, nullptr), one);
}

TEST(ResourceEstimate, FormatsBytes) {
  EXPECT_EQ(format_bytes(512), "512 B");
  EXPECT_EQ(format_bytes(1536), "1.5 KiB");
  EXPECT_EQ(format_bytes(3.0 * 1024 * 1024 * 1024), "3 GiB");
}

TEST(StopRequest, TheFirstSignalIsKeptAndNamed) {
  request_stop(0);
  EXPECT_EQ(pending_stop_signal(), 0);
  install_stop_handlers();
  std::raise(SIGUSR1);
  EXPECT_EQ(pending_stop_signal(), SIGUSR1);
  EXPECT_EQ(signal_name(SIGUSR1), "SIGUSR1");
  EXPECT_EQ(signal_name(SIGTERM), "SIGTERM");
  EXPECT_EQ(signal_name(SIGINT), "SIGINT");
  request_stop(0);
  // The handler restored the default action after the first SIGUSR1: restore ours for others.
  install_stop_handlers();
}

TEST(StopRequest, HealthMergeKeepsTheStopRequestAcrossFailures) {
  Health mine;
  mine.stop_signal = SIGTERM;
  Health failed;
  failed.report(10, 3, 0, 1e9);
  mine.merge(failed);
  EXPECT_TRUE(mine.failed);
  EXPECT_EQ(mine.stop_signal, SIGTERM);
  Health other;
  other.merge(mine);
  EXPECT_EQ(other.stop_signal, SIGTERM);
}

}  // namespace
}  // namespace myelin
