// Hodgkin-Huxley squid axon at I = 10 uA/cm^2 (1000 pA on 1e-4 cm^2) for 1000 ms against the
// scipy DOP853 reference of ../shared/reference/hh_single_spikes.json (copied to tests/data).
// NEURON's default fixed step is 0.535 ms off at dt = 0.01 ms, Brian2's default 4.92 ms; the
// issue asks for every spike within 0.05 ms at dt = 0.01, and at dt = 0.1 (where RK4 and
// forward Euler blow up) no blow-up and the rate within 1 % of 68.32 Hz.

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <vector>

#include "model/hh.hpp"
#include "support/reference_data.hpp"

namespace myelin {
namespace {

template <typename Population>
std::vector<double> spike_times(const std::string& model, std::span<const ParameterInfo> params,
                                double dt, double t_stop, double i_e, double* v_max = nullptr) {
  PopulationSpec pop;
  pop.name = "hh";
  pop.model = model;
  pop.size = 1;
  for (const auto& info : params)
    pop.params[std::string(info.name)] = ParamValue::constant(info.default_value);
  pop.params["I_e"] = ParamValue::constant(i_e);
  const std::vector<Gid> gids{0};
  Population cell(pop, gids, 0, ModelContext{.dt = dt, .seed = 1, .v_bound = 1e4, .ports = {}});
  const std::vector<double> input{0.0};
  std::vector<Spike> spikes;
  Health health;
  const auto steps = static_cast<Step>(std::llround(t_stop / dt));
  double peak = -1e9;
  for (Step s = 0; s < steps; ++s) {
    cell.update(0, 1, s, input, spikes, health);
    peak = std::max(peak, cell.value(0, 0));
  }
  EXPECT_FALSE(health.failed) << "blow-up at step " << health.step;
  if (v_max) *v_max = peak;
  std::vector<double> t;
  for (const Spike& s : spikes)
    t.push_back((static_cast<double>(s.step) + static_cast<double>(s.offset)) * dt);
  return t;
}

// 1 / mean ISI with the first interval excluded (the reference's definition).
double rate_hz(const std::vector<double>& t) {
  return 1000.0 * static_cast<double>(t.size() - 2) / (t.back() - t[1]);
}

const std::vector<double>& reference() {
  static const auto ref = testing::reference_array(
      "hh_single_spikes.json", {"variants", "scipy_DOP853_ref", "spike_times_ms"});
  return ref;
}

TEST(HodgkinHuxley, EverySpikeWithin50MicrosecondsAtDt001) {
  const auto t = spike_times<HhPopulation>("hh", hh_parameters(), 0.01, 1000.0, 1000.0);
  ASSERT_EQ(reference().size(), 69u);
  ASSERT_EQ(t.size(), reference().size());
  double worst = 0.0;
  for (std::size_t k = 0; k < t.size(); ++k)
    worst = std::max(worst, std::abs(t[k] - reference()[k]));
  std::printf(
      "HH dt 0.01 ms: 69 spikes, max |t - t_ref| = %.4f ms (NEURON default 0.535, Brian2 "
      "default 4.92)\n",
      worst);
  EXPECT_LE(worst, 0.05);
}

TEST(HodgkinHuxley, StableAndRateWithinOnePercentAtDt01) {
  double v_max = 0.0;
  const auto t = spike_times<HhPopulation>("hh", hh_parameters(), 0.1, 1000.0, 1000.0, &v_max);
  ASSERT_GE(t.size(), 60u);
  const double rate = rate_hz(t);
  const double ref_rate = rate_hz(reference());
  std::printf("HH dt 0.1 ms: %zu spikes, %.3f Hz vs reference %.3f Hz (%.3f %%), peak V %.1f mV\n",
              t.size(), rate, ref_rate, 100.0 * (rate - ref_rate) / ref_rate, v_max);
  EXPECT_NEAR(ref_rate, 68.32, 0.01);
  EXPECT_LE(std::abs(rate - ref_rate) / ref_rate, 0.01);
  EXPECT_LT(v_max, 60.0);  // bounded by E_Na = 50 mV: no overshoot from the scheme
}

TEST(HodgkinHuxley, SecondOrderConvergence) {
  // Errors against the reference at dt and dt/2 shrink by about 4 (second order), not 2.
  auto worst = [](double dt) {
    const auto t = spike_times<HhPopulation>("hh", hh_parameters(), dt, 200.0, 1000.0);
    double w = 0.0;
    for (std::size_t k = 0; k < t.size() && k < reference().size(); ++k)
      w = std::max(w, std::abs(t[k] - reference()[k]));
    return w;
  };
  const double e1 = worst(0.04), e2 = worst(0.02);
  std::printf("HH error over 200 ms: dt 0.04 -> %.4g ms, dt 0.02 -> %.4g ms, ratio %.2f\n", e1, e2,
              e1 / e2);
  EXPECT_GT(e1 / e2, 3.0);
  EXPECT_LT(e1 / e2, 5.5);
}

TEST(HodgkinHuxley, BelowRheobaseNoSpikes) {
  const auto t = spike_times<HhPopulation>("hh", hh_parameters(), 0.05, 200.0, 0.0);
  EXPECT_TRUE(t.empty());
}

TEST(TraubMiles, SecondOrderConvergenceAndRegularFiring) {
  // No published spike train for the isolated COBAHH cell: check self-convergence of the
  // scheme (dt 0.02 / 0.01 against 0.0025) and that a 200 pA step gives tonic firing.
  const auto fine = spike_times<TraubMilesPopulation>("traub_miles", traub_miles_parameters(),
                                                      0.0025, 200.0, 200.0);
  ASSERT_GE(fine.size(), 5u);
  auto worst = [&](double dt) {
    const auto t = spike_times<TraubMilesPopulation>("traub_miles", traub_miles_parameters(), dt,
                                                     200.0, 200.0);
    // Spikes in the first 190 ms: the last one may fall either side of t_stop.
    double w = 0.0;
    for (std::size_t k = 0; k < fine.size() && fine[k] < 190.0; ++k) {
      EXPECT_LT(k, t.size());
      if (k < t.size()) w = std::max(w, std::abs(t[k] - fine[k]));
    }
    return w;
  };
  const double e1 = worst(0.02), e2 = worst(0.01);
  std::printf("Traub-Miles: %zu spikes in 200 ms; error dt 0.02 -> %.4g ms, 0.01 -> %.4g ms\n",
              fine.size(), e1, e2);
  EXPECT_GT(e1 / e2, 3.0);
  EXPECT_LT(e2, 0.05);
}

}  // namespace
}  // namespace myelin
