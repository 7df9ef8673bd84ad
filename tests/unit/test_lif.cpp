#include <gtest/gtest.h>

#include <cmath>
#include <numeric>
#include <vector>

#include "model/lif.hpp"

namespace myelin {
namespace {

PopulationSpec lif_config(std::uint32_t size, std::map<std::string, double> overrides = {}) {
  PopulationSpec pop;
  pop.name = "p";
  pop.model = "lif";
  pop.size = size;
  for (const auto& info : lif_parameters())
    pop.params[std::string(info.name)] = ParamValue::constant(info.default_value);
  for (const auto& [key, value] : overrides) pop.params[key] = ParamValue::constant(value);
  return pop;
}

std::vector<Gid> iota_gids(std::uint32_t n) {
  std::vector<Gid> g(n);
  std::iota(g.begin(), g.end(), Gid{0});
  return g;
}

TEST(Lif, RelaxesExactlyToSteadyState) {
  const auto pop = lif_config(1, {{"V_m", -60.0}, {"I_e", 100.0}, {"C_m", 250.0}, {"tau_m", 10.0}});
  const auto gids = iota_gids(1);
  LifPopulation lif(pop, gids, 0, ModelContext{.dt = 0.1, .seed = 1, .v_bound = 1e4, .ports = {}});
  std::vector<double> input(1, 0.0);
  std::vector<Spike> spikes;
  Health health;
  for (Step s = 0; s < 100; ++s) lif.update(0, 1, s, input, spikes, health);
  const double v_inf = -70.0 + 10.0 / 250.0 * 100.0;
  const double expected = v_inf + (-60.0 - v_inf) * std::exp(-10.0 / 10.0);
  EXPECT_NEAR(lif.value(0, 0), expected, 1e-12);
  EXPECT_TRUE(spikes.empty());
  EXPECT_FALSE(health.failed);
}

TEST(Lif, DeltaInputJumpsAndRefractoryDiscardsInput) {
  const auto pop = lif_config(1, {{"t_ref", 1.0}});
  const auto gids = iota_gids(1);
  LifPopulation lif(pop, gids, 0, ModelContext{.dt = 0.1, .seed = 1, .v_bound = 1e4, .ports = {}});
  std::vector<Spike> spikes;
  Health health;
  std::vector<double> input{5.0};
  lif.update(0, 1, 0, input, spikes, health);
  EXPECT_NEAR(lif.value(0, 0), -65.0, 1e-12);
  input[0] = 20.0;  // crosses V_th = -55 by an input jump: spike at step 1
  lif.update(0, 1, 1, input, spikes, health);
  ASSERT_EQ(spikes.size(), 1u);
  EXPECT_EQ(spikes[0].step, 1);
  EXPECT_DOUBLE_EQ(lif.value(0, 0), -70.0);
  // 10 refractory steps: inputs are lost and V stays at V_reset.
  for (Step s = 2; s < 12; ++s) {
    lif.update(0, 1, s, input, spikes, health);
    EXPECT_DOUBLE_EQ(lif.value(0, 0), -70.0) << "step " << s;
  }
  input[0] = 1.0;
  lif.update(0, 1, 12, input, spikes, health);
  EXPECT_NEAR(lif.value(0, 0), -69.0, 1e-9);
  EXPECT_EQ(spikes.size(), 1u);
}

TEST(Lif, NoiseHasTheStatedStationarySd) {
  const std::uint32_t n = 2000;
  const auto pop = lif_config(n, {{"noise_sigma", 2.0}, {"V_th", 1000.0}, {"V_reset", -70.0}});
  const auto gids = iota_gids(n);
  LifPopulation lif(pop, gids, 0, ModelContext{.dt = 0.1, .seed = 42, .v_bound = 1e4, .ports = {}});
  std::vector<double> input(n, 0.0);
  std::vector<Spike> spikes;
  Health health;
  for (Step s = 0; s < 500; ++s) lif.update(0, n, s, input, spikes, health);  // 5 tau_m
  double sum = 0.0, sum2 = 0.0;
  for (std::uint32_t i = 0; i < n; ++i) {
    sum += lif.value(0, i);
    sum2 += lif.value(0, i) * lif.value(0, i);
  }
  const double mean = sum / n;
  const double sd = std::sqrt(sum2 / n - mean * mean);
  EXPECT_NEAR(mean, -70.0, 0.2);
  EXPECT_NEAR(sd, 2.0, 0.1);  // SE of an SD estimate from 2000 samples: ~1.6 %
}

// Three neurons with v_bound = 500 mV through step 7, with `input` on their delta port.
Health health_after_step_7(const PopulationSpec& pop, std::vector<double> input) {
  const auto gids = iota_gids(3);
  LifPopulation lif(pop, gids, 0,
                    ModelContext{.dt = 0.1, .seed = 1, .v_bound = 500.0, .ports = {}});
  std::vector<Spike> spikes;
  Health health;
  lif.update(0, 3, 7, input, spikes, health);
  return health;
}

TEST(Lif, RunawayVoltageIsReportedWithNeuronAndStep) {
  const Health health = health_after_step_7(lif_config(3, {{"V_th", 1e9}}), {0.0, 1000.0, 0.0});
  ASSERT_TRUE(health.failed);
  EXPECT_EQ(health.gid, 1u);
  EXPECT_EQ(health.step, 7);
  EXPECT_GT(health.value, 500.0);
}

// The other way out of bounds: a strong inhibitory jump drives neuron 1 below -v_bound, where
// no threshold flags it for the scalar path; the vector kernel's check must.
TEST(Lif, NegativeRunawayIsReportedWithNeuronAndStep) {
  const Health health = health_after_step_7(lif_config(3, {}), {0.0, -1000.0, 0.0});
  ASSERT_TRUE(health.failed);
  EXPECT_EQ(health.gid, 1u);
  EXPECT_EQ(health.step, 7);
  EXPECT_LT(health.value, -500.0);
}

}  // namespace
}  // namespace myelin
