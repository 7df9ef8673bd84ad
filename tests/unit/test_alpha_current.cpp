// The alpha-shaped current synapse (NEST iaf_psc_alpha): the port's kernel, its peak, its step
// mean, and the LIF membrane's exact response against the closed form.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <vector>

#include "model/lif.hpp"
#include "synapse/synapse_ports.hpp"

namespace myelin {
namespace {

constexpr double e = std::numbers::e;

TEST(AlphaCurrent, KernelPeaksAtTauWithTheWeight) {
  // One spike of weight w arrives at the end of step 0: I(t) = w e/tau t e^(-t/tau).
  const double dt = 0.1, tau = 0.5, w = 87.8;
  SynapsePorts ports({PortSpec{SynapseKind::alpha_current, tau, 0.0}}, 1, dt);
  double peak = 0.0;
  int peak_step = -1;
  for (int k = 0; k < 100; ++k) {
    ports.advance(0, std::vector<double>{k == 0 ? w : 0.0});
    const double t = k * dt;
    EXPECT_NEAR(ports.value(0, 0), w * e / tau * t * std::exp(-t / tau), 1e-12) << k;
    if (ports.value(0, 0) > peak) {
      peak = ports.value(0, 0);
      peak_step = k;
    }
  }
  EXPECT_EQ(peak_step, 5);                                     // t = tau = 0.5 ms
  EXPECT_NEAR(peak, w, 1e-12);                                 // the peak current is the weight
  EXPECT_NEAR(ports.total(false, 0), ports.value(0, 0), 0.0);  // counted in I_syn
  EXPECT_EQ(ports.total(true, 0), 0.0);                        // not a conductance
}

TEST(AlphaCurrent, StepMeanIsTheExactIntegral) {
  const double dt = 0.5, tau = 1.5, w = 3.0;
  SynapsePorts ports({PortSpec{SynapseKind::alpha_current, tau, 0.0}}, 1, dt);
  ports.advance(0, std::vector<double>{w});
  ports.advance(0, std::vector<double>{0.0});  // t = dt after the arrival
  const SynapticDrive d = ports.mean_drive(0);
  double sum = 0.0;
  const int n = 200000;
  for (int j = 0; j < n; ++j) {
    const double t = dt + (j + 0.5) * dt / n;
    sum += w * e / tau * t * std::exp(-t / tau);
  }
  EXPECT_NEAR(d.current, sum / n, 1e-9);
  EXPECT_EQ(d.conductance, 0.0);
}

PopulationSpec lif_no_spikes() {
  PopulationSpec pop;
  pop.name = "p";
  pop.model = "lif";
  pop.size = 1;
  for (const auto& info : lif_parameters())
    pop.params[std::string(info.name)] = ParamValue::constant(info.default_value);
  pop.params["V_th"] = ParamValue::constant(1e9);
  return pop;
}

// V(t) - E_L for one alpha current of weight w [pA] into a LIF membrane, written out
// independently of the implementation's propagator: with a = 1/tau_s - 1/tau_m,
//   V = w e / (tau_s C) [e^(-t/tau_m) / a^2 - e^(-t/tau_s) (1/a^2 + t/a)],
// and w e t^2 e^(-t/tau) / (2 tau C) when tau_s == tau_m.
// Near tau_s == tau_m (|a t| < 1e-2) the closed form cancels catastrophically; there the
// integral int_0^t s e^(-a s) ds is taken by Simpson's rule instead, which is exact to
// rounding because the integrand is a cubic up to terms of order (a t)^3.
double alpha_psp(double t, double w, double tau_s, double tau_m, double c_m) {
  if (tau_s == tau_m) return w * e * t * t * std::exp(-t / tau_m) / (2.0 * tau_s * c_m);
  const double a = 1.0 / tau_s - 1.0 / tau_m;
  if (std::abs(a * t) < 1e-2) {
    const int n = 1000;
    const double h = t / n;
    double sum = 0.0;
    for (int j = 0; j <= n; ++j) {
      const double s = j * h;
      sum += (j == 0 || j == n ? 1.0 : (j % 2 ? 4.0 : 2.0)) * s * std::exp(-a * s);
    }
    return w * e / (tau_s * c_m) * std::exp(-t / tau_m) * sum * h / 3.0;
  }
  return w * e / (tau_s * c_m) *
         (std::exp(-t / tau_m) / (a * a) - std::exp(-t / tau_s) * (1.0 / (a * a) + t / a));
}

void check_alpha_psp(double tau_s, double tolerance) {
  const double dt = 0.1, tau_m = 10.0, c_m = 250.0, w = 100.0;
  const std::vector<Gid> gids{0};
  LifPopulation lif(lif_no_spikes(), gids, 0,
                    ModelContext{.dt = dt,
                                 .seed = 1,
                                 .v_bound = 1e4,
                                 .ports = {PortSpec{SynapseKind::alpha_current, tau_s, 0.0}}});
  std::vector<Spike> spikes;
  Health health;
  double worst = 0.0, v_max = 0.0;
  for (Step s = 0; s < 500; ++s) {
    lif.update(0, 1, s, std::vector<double>{s == 0 ? w : 0.0}, spikes, health);
    const double t = static_cast<double>(s) * dt;  // since the arrival at the end of step 0
    const double expected = alpha_psp(t, w, tau_s, tau_m, c_m);
    worst = std::max(worst, std::abs(lif.value(0, 0) + 70.0 - expected));
    v_max = std::max(v_max, lif.value(0, 0) + 70.0);
  }
  EXPECT_LE(worst, tolerance) << "tau_s " << tau_s;
  EXPECT_GT(v_max, 0.01) << "the PSP is not trivially zero";
}

TEST(AlphaCurrent, LifPspEqualsTheClosedForm) {
  check_alpha_psp(0.5, 1e-12);  // the microcircuit's tau_syn
  check_alpha_psp(2.0, 1e-12);
  check_alpha_psp(10.0, 1e-12);  // tau_s == tau_m: the degenerate propagator
  check_alpha_psp(10.0 * (1.0 + 1e-13), 1e-12);
  check_alpha_psp(10.0 * (1.0 + 1e-5), 1e-12);  // near-degenerate: the series branch
  check_alpha_psp(30.0, 1e-12);
}

TEST(AlphaCurrent, PspPeakTimeMatchesTheClosedForm) {
  // The closed form's maximum (tau_s = 2, tau_m = 10), found by golden search, against the
  // sampled trace's maximum: within one step, and the values agree there.
  const double tau_s = 2.0, tau_m = 10.0, c_m = 250.0, w = 100.0, dt = 0.1;
  double lo = 0.0, hi = 50.0;
  for (int it = 0; it < 200; ++it) {
    const double m1 = lo + (hi - lo) * 0.382, m2 = lo + (hi - lo) * 0.618;
    if (alpha_psp(m1, w, tau_s, tau_m, c_m) < alpha_psp(m2, w, tau_s, tau_m, c_m))
      lo = m1;
    else
      hi = m2;
  }
  const std::vector<Gid> gids{0};
  LifPopulation lif(lif_no_spikes(), gids, 0,
                    ModelContext{.dt = dt,
                                 .seed = 1,
                                 .v_bound = 1e4,
                                 .ports = {PortSpec{SynapseKind::alpha_current, tau_s, 0.0}}});
  std::vector<Spike> spikes;
  Health health;
  double best = -1.0, best_t = 0.0;
  for (Step s = 0; s < 500; ++s) {
    lif.update(0, 1, s, std::vector<double>{s == 0 ? w : 0.0}, spikes, health);
    if (lif.value(0, 0) + 70.0 > best) {
      best = lif.value(0, 0) + 70.0;
      best_t = static_cast<double>(s) * dt;
    }
  }
  EXPECT_NEAR(best_t, lo, dt);
  EXPECT_GT(lo, 4.0);  // not at an end of the search interval
  EXPECT_NEAR(best, alpha_psp(lo, w, tau_s, tau_m, c_m), 1e-4);
}

// The threshold crossing inside a step and the end of the refractory period inside a step, with
// a current synapse still active: the spike time against the closed-form PSP's crossing, and
// V after the refractory period against (1/C) int_{t_end}^t e^(-(t-u)/tau_m) I(u) du (Simpson),
// for alpha and exponential currents. V_reset = E_L, so nothing else contributes.
void check_crossing_and_refractory_end(SynapseKind kind, double w) {
  const double dt = 0.1, tau_m = 10.0, c_m = 250.0, tau_s = 2.0, t_ref = 2.0;
  const bool alpha = kind == SynapseKind::alpha_current;
  const auto current = [&](double u) {
    return alpha ? w * e / tau_s * u * std::exp(-u / tau_s) : w * std::exp(-u / tau_s);
  };
  const auto psp = [&](double t) {
    return alpha ? alpha_psp(t, w, tau_s, tau_m, c_m)
                 : w * tau_m * tau_s / (c_m * (tau_m - tau_s)) *
                       (std::exp(-t / tau_m) - std::exp(-t / tau_s));
  };
  PopulationSpec pop = lif_no_spikes();
  pop.params["V_th"] = ParamValue::constant(-55.0);
  pop.params["t_ref"] = ParamValue::constant(t_ref);
  const std::vector<Gid> gids{0};
  LifPopulation lif(
      pop, gids, 0,
      ModelContext{.dt = dt, .seed = 1, .v_bound = 1e4, .ports = {PortSpec{kind, tau_s, 0.0}}});
  std::vector<Spike> spikes;
  Health health;
  std::vector<double> v;
  for (Step s = 0; s < 400; ++s) {
    lif.update(0, 1, s, std::vector<double>{s == 0 ? w : 0.0}, spikes, health);
    v.push_back(lif.value(0, 0) + 70.0);
  }
  ASSERT_EQ(spikes.size(), 1u);
  // Closed-form crossing of 15 mV, by bisection; time 0 is the arrival at the end of step 0.
  double lo = 0.0, hi = 0.0;
  while (psp(hi) < 15.0) hi += dt;
  lo = hi - dt;
  for (int it = 0; it < 200; ++it) ((psp(0.5 * (lo + hi)) < 15.0) ? lo : hi) = 0.5 * (lo + hi);
  const double t_cross =
      (static_cast<double>(spikes[0].step - 1) + static_cast<double>(spikes[0].offset)) * dt;
  EXPECT_NEAR(t_cross, lo, 2e-7 * dt) << "offset is a float";
  // After the refractory period: the response to the synaptic current from t_end on.
  const double t_end = lo + t_ref;
  double worst = 0.0;
  int compared = 0;
  for (std::size_t s = 1; s < v.size(); ++s) {
    const double t = static_cast<double>(s) * dt;
    if (t < t_end) {
      if (static_cast<double>(s) * dt > lo + dt) {
        EXPECT_EQ(v[s], 0.0) << "clamped at step " << s;
      }
      continue;
    }
    const int n = 4000;
    const double h = (t - t_end) / n;
    double sum = 0.0;
    for (int j = 0; j <= n; ++j) {
      const double u = t_end + j * h;
      sum +=
          (j == 0 || j == n ? 1.0 : (j % 2 ? 4.0 : 2.0)) * std::exp(-(t - u) / tau_m) * current(u);
    }
    worst = std::max(worst, std::abs(v[s] - sum * h / 3.0 / c_m));
    ++compared;
  }
  EXPECT_GT(compared, 300);
  // The refractory end is resolved from the double crossing time, the reference from the
  // bisection: they agree to ~1e-13 ms, far below this.
  EXPECT_LT(worst, 1e-9) << (alpha ? "alpha" : "exp");
  EXPECT_GT(*std::max_element(v.end() - 300, v.end()), 1.0) << "the current still acts";
}

TEST(AlphaCurrent, CrossingTimeAndRefractoryEndInsideTheStep) {
  check_crossing_and_refractory_end(SynapseKind::alpha_current, 1200.0);
  check_crossing_and_refractory_end(SynapseKind::exp_current, 4000.0);
}

}  // namespace
}  // namespace myelin
