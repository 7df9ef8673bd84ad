#include <gtest/gtest.h>

#include <cmath>

#include "config/config_parser.hpp"
#include "myelin/errors.hpp"

namespace myelin {
namespace {

const char* base = R"(
[simulation]
dt = 0.1
t_stop = 50.0
seed = 3

[population.exc]
model = "lif"
size = 100
tau_m = 20.0
I_e = { normal = [500.0, 10.0] }

[projection.ring]
source = "exc"
target = "exc"
rule = "small_world"
k = 10
p = 0.2
weight = 0.1
delay = 1.5

[output]
file = "x.h5"
[output.traces.exc]
variables = ["V_m"]
neurons = [5, 1, 5]
interval = 0.5
)";

// The message of the InputError that parsing `text` with `sets` raises.
std::string error_of(const std::vector<std::string>& sets, const std::string& text = base) {
  try {
    parse_config(text, sets);
  } catch (const InputError& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(Config, ParsesValuesDistributionsAndDefaults) {
  const Config c = parse_config(base, {});
  EXPECT_DOUBLE_EQ(c.simulation.dt, 0.1);
  EXPECT_EQ(c.simulation.seed, 3u);
  ASSERT_EQ(c.populations.size(), 1u);
  const auto& p = c.populations[0];
  EXPECT_EQ(p.size, 100u);
  EXPECT_DOUBLE_EQ(p.params.at("tau_m").a, 20.0);
  EXPECT_EQ(p.params.at("I_e").kind, ParamValue::Kind::normal);
  EXPECT_DOUBLE_EQ(p.params.at("I_e").b, 10.0);
  EXPECT_DOUBLE_EQ(p.params.at("C_m").a, 250.0);  // default
  EXPECT_TRUE(std::isnan(p.params.at("V_m").a));  // defaults to E_L in the model
  ASSERT_EQ(c.projections.size(), 1u);
  EXPECT_EQ(c.projections[0].rule, ConnectionRule::small_world);
  EXPECT_EQ(c.projections[0].k, 10);
  EXPECT_TRUE(c.projections[0].symmetric);
  ASSERT_EQ(c.output.traces.size(), 1u);
  EXPECT_EQ(c.output.traces[0].neurons, (std::vector<std::uint32_t>{1, 5}));
}

TEST(Config, OverridesSetNumbersStringsTablesAndNewPopulations) {
  const Config c = parse_config(
      base, {"population.exc.I_e=1200", "output.file=out/run.h5", "projection.ring.p=0.3",
             "population.exc.V_m={ uniform = [-70.0, -60.0] }", "population.inh.model=\"lif\"",
             "population.inh.size=20"});
  EXPECT_DOUBLE_EQ(c.populations[0].params.at("I_e").a, 1200.0);
  EXPECT_EQ(c.output.file, "out/run.h5");
  EXPECT_DOUBLE_EQ(c.projections[0].p, 0.3);
  EXPECT_EQ(c.populations[0].params.at("V_m").kind, ParamValue::Kind::uniform);
  ASSERT_EQ(c.populations.size(), 2u);
  EXPECT_EQ(c.populations[1].name, "inh");
  EXPECT_EQ(c.overrides.size(), 6u);
}

TEST(Config, ErrorsNameKeyValueAndReason) {
  struct Case {
    std::vector<std::string> sets;
    std::vector<std::string> expected;
  };
  const std::vector<Case> cases = {
      {{"population.exc.tau_m=-5"}, {"population.exc.tau_m = -5", "must be > 0 [ms]"}},
      {{"simulation.dt=0"}, {"simulation.dt = 0", "must be > 0"}},
      {{"output.flush_min_wall=-1"}, {"output.flush_min_wall = -1", "must be >= 0 [s]"}},
      {{"projection.ring.delay=0.05"}, {"projection.ring.delay", "must be >= dt"}},
      {{"projection.ring.k=7"}, {"projection.ring.k = 7", "even"}},
      {{"projection.ring.k=100"}, {"projection.ring.k = 100", "size - 1"}},
      {{"projection.ring.p=1.5"}, {"projection.ring.p = 1.5", "<= 1"}},
      {{"projection.ring.source=\"nope\""}, {"projection.ring.source", "no such population"}},
      {{"population.exc.tau=3"}, {"population.exc.tau = 3", "unknown key", "tau_m"}},
      {{"simulation.seed=\"abc\""}, {"simulation.seed", "must be an integer"}},
      {{"population.exc.model=\"hh2\""}, {"population.exc.model", "unknown model"}},
      {{"projection.ring.rule=\"ring\""}, {"projection.ring.rule", "unknown rule"}},
      {{"projection.ring.delay={ normal = [2.0, 0.5] }"},
       {"projection.ring.delay", "a normal delay needs min >= dt"}},
      {{"population.exc.V_reset=-50"}, {"population.exc.V_reset = -50", "must be < V_th"}},
      {{"population.exc.tau_m={ normal = [1.0, 5.0] }"}, {"population.exc.tau_m", "neuron"}},
      {{"output.traces.exc.interval=0.25"}, {"output.traces.exc.interval", "multiple of dt"}},
      {{"output.traces.exc.neurons=[100]"}, {"output.traces.exc.neurons = 100", "[0, 100)"}},
      {{"projection.ring.autapses=true"},
       {"projection.ring.autapses", "not used by rule small_world"}},
      {{"population.exc.size=10.0"}, {"population.exc.size", "integer"}},
      {{"novalue"}, {"--set", "KEY=VALUE"}},
      {{"population.exc.tau_m=nan"}, {"population.exc.tau_m", "finite"}},
      {{"sweep.vary.projection.ring.p=[]"}, {"sweep.vary.projection", "non-empty array"}},
      {{"sweep.vary={\"projection.ring.p\" = [0.1, \"x\"]}"},
       {"sweep.vary.projection.ring.p = \"x\"", "expected a number"}},
      {{"sweep.seeds=0"}, {"sweep.seeds = 0", "must be >= 1"}},
      {{"sweep.ranks_per_run=0"}, {"sweep.ranks_per_run = 0", "must be >= 1"}},
      {{"sweep.repeat=2"}, {"sweep.repeat", "unknown key"}},
      {{"population.src.model=\"spike_source\"", "population.src.size=2",
        "population.src.spike_times=[1.0, 0.5]"},
       {"population.src.spike_times = 0.5", "strictly ascending"}},
      {{"population.src.model=\"spike_source\"", "population.src.size=2",
        "population.src.spike_times=[0.05]"},
       {"population.src.spike_times = 0.05", ">= dt and a whole multiple of dt"}},
      {{"population.src.model=\"spike_source\"", "population.src.size=3",
        "population.src.spike_times=[[1.0], [2.0]]"},
       {"population.src.spike_times = 2 lists", "expected 3"}},
      {{"population.src.model=\"spike_source\"", "population.src.size=1"},
       {"population.src.spike_times", "required"}},
      {{"population.src.model=\"spike_source\"", "population.src.size=1",
        "population.src.spike_times=[1.0]", "population.src.tau_m=3"},
       {"population.src.tau_m", "unknown key"}},
      {{"projection.ring.plasticity={ w_max = 1.0, rule = \"hebb\" }"},
       {"projection.ring.plasticity.rule = \"hebb\"", "additive, multiplicative"}},
      {{"projection.ring.plasticity={ w_max = 1.0, pairing = \"first\" }"},
       {"projection.ring.plasticity.pairing", "all_to_all, nearest"}},
      {{"projection.ring.plasticity={ w_min = 0.5, w_max = 0.5 }"},
       {"projection.ring.plasticity.w_max = 0.5", "must exceed w_min"}},
      {{"projection.ring.plasticity={ tau_plus = 1.0 }"},
       {"projection.ring.plasticity.w_max", "required"}},
      {{"projection.ring.plasticity={ w_max = 0.05 }"},
       {"projection.ring.weight", "initial weights must lie in [w_min, w_max]"}},
      {{"projection.ring.plasticity={ w_max = 1.0, dendritic_delay = 2.0 }"},
       {"projection.ring.plasticity.dendritic_delay",
        "must not exceed the smallest synaptic delay"}},
      {{"projection.ring.plasticity={ w_max = 1.0, A_minus = -1.0 }"},
       {"projection.ring.plasticity.A_minus = -1", "must be >= 0"}},
      {{"output.weights.ring.bins=3"}, {"output.weights.ring", "projection has no plasticity"}},
      {{"projection.ring.plasticity={ w_max = 1.0 }", "output.weights.ring.stats_interval=0.05"},
       {"output.weights.ring.stats_interval", "multiple of dt"}},
  };
  for (const auto& c : cases) {
    const std::string msg = error_of(c.sets);
    for (const auto& e : c.expected)
      EXPECT_NE(msg.find(e), std::string::npos) << "message: " << msg << "\nexpected: " << e;
  }
}

TEST(Config, SweepSection) {
  const Config c = parse_config(
      base, {"sweep.vary={\"projection.ring.p\" = [0, 0.5], \"population.exc.I_e\" = [1.0]}",
             "sweep.seeds=4"});
  ASSERT_EQ(c.sweep.vary.size(), 2U);
  EXPECT_EQ(c.sweep.vary[0].first, "population.exc.I_e");  // sorted by key
  EXPECT_EQ(c.sweep.vary[1].second, (std::vector<double>{0.0, 0.5}));
  EXPECT_EQ(c.sweep.seeds, 4);
  EXPECT_EQ(c.sweep.ranks_per_run, 1);
}

TEST(Config, StructuralErrors) {
  EXPECT_NE(error_of({}, "[[population]]\nname = \"a\"\n").find("[population.NAME]"),
            std::string::npos);
  EXPECT_NE(error_of({}, "[simulation\n").find("line 1"), std::string::npos);
  EXPECT_NE(error_of({}, "[population.a]\nmodel = \"lif\"\n")
                .find("population.a.size = (missing): required"),
            std::string::npos);
  EXPECT_NE(error_of({}, "[bogus]\nx = 1\n").find("bogus"), std::string::npos);
  const std::string small_world_two_pops =
      std::string(base) +
      "[population.b]\nmodel = \"lif\"\nsize = 100\n"
      "[projection.x]\nsource = \"exc\"\ntarget = \"b\"\nrule = \"small_world\"\n"
      "k = 4\np = 0.1\nweight = 1.0\n";
  EXPECT_NE(error_of({}, small_world_two_pops).find("projection.x.target"), std::string::npos);
  EXPECT_NO_THROW(parse_config("[simulation]\nt_stop = 10\n", {}));  // no populations: valid
}

TEST(Config, MissingFileIsAnInputError) {
  try {
    load_config("/nonexistent/config.toml", {});
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("CONFIG = /nonexistent/config.toml"), std::string::npos);
  }
}

}  // namespace
}  // namespace myelin
