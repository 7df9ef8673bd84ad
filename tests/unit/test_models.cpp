// Rate functions at their removable singularities, each synapse kernel against its analytic
// response to one input spike, and parameter validation of the new models and synapses.

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <vector>

#include "config/config_parser.hpp"
#include "model/hh_channels.hpp"
#include "model/izhikevich.hpp"
#include "model/lif.hpp"
#include "myelin/errors.hpp"
#include "synapse/synapse_ports.hpp"

namespace myelin {
namespace {

TEST(RateFunctions, ExactAtTheSquidAxonSingularities) {
  // alpha_m(-40) = 0.1 * 10 = 1 and alpha_n(-55) = 0.01 * 10 = 0.1 are the limits of x/(e^x-1).
  const GateRates at_m = SquidAxonRates::rates(-40.0, 0.0);
  const GateRates at_n = SquidAxonRates::rates(-55.0, 0.0);
  EXPECT_DOUBLE_EQ(at_m.alpha_m, 1.0);
  EXPECT_DOUBLE_EQ(at_n.alpha_n, 0.1);
  for (const double eps : {1e-12, 1e-9, 1e-7, 1e-5, 1e-3}) {
    // Continuous through the singular point, and smooth: slope of x/(e^(x/y)-1) is -1/2 there.
    for (const double sign : {-1.0, 1.0}) {
      const double dv = sign * eps;
      EXPECT_NEAR(SquidAxonRates::rates(-40.0 + dv, 0.0).alpha_m, 1.0 + 0.05 * dv,
                  1e-6 * eps + 1e-15);
      EXPECT_NEAR(SquidAxonRates::rates(-55.0 + dv, 0.0).alpha_n, 0.1 + 0.005 * dv,
                  1e-6 * eps + 1e-15);
    }
  }
  EXPECT_TRUE(std::isfinite(SquidAxonRates::rates(-40.0, 0.0).alpha_m));
}

TEST(RateFunctions, ExactAtTheTraubMilesSingularities) {
  const double v_t = -63.0;
  EXPECT_DOUBLE_EQ(TraubMilesRates::rates(v_t + 13.0, v_t).alpha_m, 0.32 * 4.0);
  EXPECT_DOUBLE_EQ(TraubMilesRates::rates(v_t + 40.0, v_t).beta_m, 0.28 * 5.0);
  EXPECT_DOUBLE_EQ(TraubMilesRates::rates(v_t + 15.0, v_t).alpha_n, 0.032 * 5.0);
  EXPECT_NEAR(TraubMilesRates::rates(v_t + 13.0 + 1e-9, v_t).alpha_m, 0.32 * 4.0, 1e-9);
}

// One spike of weight w arrives at the end of step 0; the port state at the end of step k is
// the kernel at t = k dt.
std::vector<double> port_response(SynapseKind kind, double tau, double w, double dt, int steps) {
  SynapsePorts ports({PortSpec{kind, tau, 0.0}}, 1, dt);
  std::vector<double> out;
  for (int k = 0; k < steps; ++k) {
    const std::vector<double> input{k == 0 ? w : 0.0};
    ports.advance(0, input);
    out.push_back(ports.value(0, 0));
  }
  return out;
}

TEST(SynapseKernels, ExponentialCurrentAndConductance) {
  const double dt = 0.1, tau = 3.0, w = 2.5;
  for (const auto kind : {SynapseKind::exp_current, SynapseKind::exp_conductance}) {
    const auto r = port_response(kind, tau, w, dt, 100);
    for (int k = 0; k < 100; ++k)
      EXPECT_NEAR(r[static_cast<std::size_t>(k)], w * std::exp(-k * dt / tau), 1e-12);
  }
}

TEST(SynapseKernels, AlphaConductancePeaksAtTauWithTheWeight) {
  const double dt = 0.1, tau = 2.0, w = 4.0;
  const auto r = port_response(SynapseKind::alpha_conductance, tau, w, dt, 200);
  for (int k = 0; k < 200; ++k) {
    const double t = k * dt;
    EXPECT_NEAR(r[static_cast<std::size_t>(k)], w * t / tau * std::exp(1.0 - t / tau), 1e-12);
  }
  EXPECT_NEAR(r[20], w, 1e-12);  // t = tau
}

TEST(SynapseKernels, StepMeansAreExactIntegrals) {
  // Mean drive over the step following the arrival, against a fine Riemann sum of the kernel.
  const double dt = 0.5, tau = 1.5, w = 3.0;
  for (const auto kind : {SynapseKind::exp_conductance, SynapseKind::alpha_conductance}) {
    SynapsePorts ports({PortSpec{kind, tau, -80.0}}, 1, dt);
    ports.advance(0, std::vector<double>{w});
    ports.advance(0, std::vector<double>{0.0});  // now at t = dt after the arrival
    const SynapticDrive d = ports.mean_drive(0);
    double sum = 0.0;
    const int n = 200000;
    for (int j = 0; j < n; ++j) {
      const double t = dt + (j + 0.5) * dt / n;
      sum += kind == SynapseKind::exp_conductance ? w * std::exp(-t / tau)
                                                  : w * t / tau * std::exp(1.0 - t / tau);
    }
    EXPECT_NEAR(d.conductance, sum / n, 1e-9);
    EXPECT_NEAR(d.g_e_rev, -80.0 * sum / n, 1e-7);
  }
}

PopulationConfig lif_defaults() {
  PopulationConfig pop;
  pop.name = "p";
  pop.model = "lif";
  pop.size = 1;
  for (const auto& info : lif_parameters())
    pop.params[std::string(info.name)] = ParamValue::constant(info.default_value);
  pop.params["V_th"] = ParamValue::constant(1e9);  // no spikes: the pure response
  return pop;
}

// LIF voltage response to one exponential-current input against the closed form
//   V(t) - E_L = w tau_m tau_s / (C (tau_m - tau_s)) (e^(-t/tau_m) - e^(-t/tau_s)),
// and w t e^(-t/tau) / C when tau_s == tau_m (no 0/0).
void check_lif_psp(double tau_s) {
  const double dt = 0.1, tau_m = 10.0, c_m = 250.0, w = 100.0;
  const std::vector<Gid> gids{0};
  LifPopulation lif(lif_defaults(), gids, 0,
                    ModelContext{.dt = dt,
                                 .seed = 1,
                                 .v_bound = 1e4,
                                 .ports = {PortSpec{SynapseKind::exp_current, tau_s, 0.0}}});
  std::vector<Spike> spikes;
  Health health;
  for (Step s = 0; s < 300; ++s) {
    const std::vector<double> input{s == 0 ? w : 0.0};
    lif.update(0, 1, s, input, spikes, health);
    const double t = static_cast<double>(s) * dt;  // time since the arrival at the end of step 0
    // Within 1e-9 of tau_m the direct closed form cancels catastrophically (that is the point
    // of the test): compare with its limit, which differs by O(1e-13) there.
    const double expected = std::abs(tau_s - tau_m) < 1e-9
                                ? w * t * std::exp(-t / tau_m) / c_m
                                : w * tau_m * tau_s / (c_m * (tau_m - tau_s)) *
                                      (std::exp(-t / tau_m) - std::exp(-t / tau_s));
    EXPECT_NEAR(lif.value(0, 0) + 70.0, expected, 1e-12) << "tau_s " << tau_s << " step " << s;
  }
}

TEST(LifSynapses, ExactExponentialCurrentPsp) {
  check_lif_psp(2.0);
  check_lif_psp(10.0);  // tau_s == tau_m
  check_lif_psp(10.0 * (1.0 + 1e-13));
}

TEST(LifSynapses, ConductanceDrivesTowardsReversal) {
  // A large, long excitatory conductance with E_rev = -50 pulls V towards -50 but never past it.
  const std::vector<Gid> gids{0};
  LifPopulation lif(lif_defaults(), gids, 0,
                    ModelContext{.dt = 0.1,
                                 .seed = 1,
                                 .v_bound = 1e4,
                                 .ports = {PortSpec{SynapseKind::exp_conductance, 1e6, -50.0}}});
  std::vector<Spike> spikes;
  Health health;
  for (Step s = 0; s < 2000; ++s) {
    const std::vector<double> input{s == 0 ? 1000.0 : 0.0};
    lif.update(0, 1, s, input, spikes, health);
    EXPECT_LE(lif.value(0, 0), -50.0);
  }
  // g_L = 25 nS, g = 1000 nS: V_inf = (25 * -70 + 1000 * -50) / 1025.
  EXPECT_NEAR(lif.value(0, 0), (25.0 * -70.0 + 1000.0 * -50.0) / 1025.0, 1e-3);
}

const char* model_base = R"(
[population.a]
model = "hh"
size = 10
[population.b]
model = "izhikevich"
size = 10
[projection.ab]
source = "a"
target = "b"
rule = "all_to_all"
synapse = "exp_conductance"
tau_syn = 5.0
E_rev = 0.0
weight = 1.0
)";

std::string error_of(const std::string& set) {
  try {
    parse_config(model_base, {set});
  } catch (const InputError& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(ModelConfig, EveryBadValueIsNamed) {
  const std::vector<std::pair<std::string, std::vector<std::string>>> cases = {
      {"population.a.g_Na=-1", {"population.a.g_Na = -1", ">= 0"}},
      {"population.a.C_m=0", {"population.a.C_m = 0", "> 0"}},
      {"population.a.q10=0", {"population.a.q10", "> 0"}},
      {"population.b.scheme=\"rk4\"", {"population.b.scheme", "rk4", "izh2003, euler"}},
      {"population.b.preset=\"XX\"", {"population.b.preset", "XX", "RS"}},
      {"population.b.tau_m=3", {"population.b.tau_m", "unknown key"}},
      {"projection.ab.tau_syn=0", {"projection.ab.tau_syn = 0", "> 0"}},
      {"projection.ab.weight=-1", {"projection.ab.weight", "conductance must be >= 0"}},
      {"projection.ab.synapse=\"nmda\"", {"projection.ab.synapse", "unknown synapse"}},
      {"projection.ab.E_rev=\"x\"", {"projection.ab.E_rev", "number"}},
      {"population.a.E_K={ nernst = { z = 1, c_in = 0, c_out = 5 } }",
       {"population.a.E_K.nernst.c_in = 0", "> 0"}},
      {"population.a.E_K={ nernst = { z = 0, c_in = 1, c_out = 5 } }",
       {"population.a.E_K.nernst.z", "valence"}},
      {"population.a.E_K={ nernst = { z = 1, c_in = 1 } }",
       {"population.a.E_K.nernst.c_out", "required"}},
      {"simulation.temperature=-300", {"simulation.temperature = -300", "> -273.15"}},
  };
  for (const auto& [set, words] : cases) {
    const std::string msg = error_of(set);
    for (const auto& w : words) EXPECT_NE(msg.find(w), std::string::npos) << set << " -> " << msg;
  }
}

TEST(ModelConfig, MissingSynapseKeysAndMisplacedOnes) {
  const std::string no_tau =
      std::string(model_base).replace(std::string(model_base).find("tau_syn = 5.0\n"), 14, "");
  try {
    parse_config(no_tau, {});
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("projection.ab.tau_syn"), std::string::npos) << e.what();
  }
  EXPECT_NE(error_of("projection.ab.synapse=\"exp_current\"").find("projection.ab.E_rev"),
            std::string::npos);
  EXPECT_NE(error_of("projection.ab.synapse=\"delta\"").find("not used by synapse"),
            std::string::npos);
  EXPECT_NE(error_of("projection.ab.synapse=\"alpha_current\"")
                .find("projection.ab.E_rev = 0: not used by synapse \"alpha_current\""),
            std::string::npos)
      << error_of("projection.ab.synapse=\"alpha_current\"");
  EXPECT_NE(error_of("projection.ab.synapse=\"alpha_curent\"").find("unknown synapse"),
            std::string::npos);
}

TEST(ModelConfig, PresetsNernstAndTemperature) {
  const Config c = parse_config(
      model_base, {"population.b.preset=\"FS\"", "population.b.d=3", "simulation.temperature=20",
                   "population.a.E_K={ nernst = { z = 1, c_in = 140, "
                   "c_out = 5 } }"});
  const PopulationConfig& b = c.populations[1];
  EXPECT_DOUBLE_EQ(b.params.at("a").a, 0.1);  // FS
  EXPECT_DOUBLE_EQ(b.params.at("d").a, 3.0);  // explicit key wins over the preset
  const double e_k = 1000.0 * 8.314462618 * 293.15 / 96485.33212 * std::log(5.0 / 140.0);
  EXPECT_NEAR(c.populations[0].params.at("E_K").a, e_k, 1e-9);
  EXPECT_NEAR(e_k, -84.17, 0.01);  // textbook value at 20 degC
}

}  // namespace
}  // namespace myelin
