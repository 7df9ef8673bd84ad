// The free membrane potential of LIF neurons under Poisson input against Campbell's theorem:
// a shot noise sum_j w h(t - t_j) with Poisson times of rate nu has mean nu w int h and
// variance nu w^2 int h^2. Inputs arrive at step ends, so the exact expectations of the sampled
// process are the sums over lags k dt (lambda = nu dt per step); they differ from the integrals
// by O(dt^2), here below 0.05 %.

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <numbers>
#include <vector>

#include "config/config_parser.hpp"
#include "model/lif.hpp"
#include "synapse/external_input.hpp"
#include "synapse/receptor_ports.hpp"

namespace myelin {
namespace {

struct Moments {
  double mean = 0.0;  // [mV] of V - E_L over neurons and time
  double var = 0.0;   // [mV^2]
};

// n neurons, Poisson input of `rate` Hz and weight w into `synapse` (tau_s 0.5 ms); statistics
// of V - E_L sampled every step from 200 ms to 200 + t ms.
Moments simulate(const std::string& synapse, double rate, double w, std::uint32_t n, double t) {
  const std::string text = R"(
[simulation]
dt = 0.1
seed = 2014
[population.p]
model = "lif"
size = )" + std::to_string(n) +
                           R"(
tau_m = 10.0
C_m = 250.0
V_th = 1e9
[input.bg]
type = "poisson"
target = "p"
rate = )" + std::to_string(rate) +
                           R"(
weight = )" + std::to_string(w) +
                           R"(
synapse = ")" + synapse + R"("
tau_syn = 0.5
)";
  const Config config = parse_config(text, {});
  std::vector<Gid> gids(n);
  for (std::uint32_t i = 0; i < n; ++i) gids[i] = i;
  const auto ports = receptor_ports(config).of_population[0];
  LifPopulation lif(config.populations[0], gids, 0,
                    ModelContext{.dt = 0.1, .seed = 2014, .v_bound = 1e4, .ports = ports});
  const ExternalInput input(config, 0, gids);
  std::vector<double> rows(ports.size() * n);
  std::vector<Spike> spikes;
  Health health;
  double sum = 0.0, sum2 = 0.0, count = 0.0;
  const Step warmup = 2000, steps = warmup + static_cast<Step>(std::llround(t / 0.1));
  for (Step s = 0; s < steps; ++s) {
    std::fill(rows.begin(), rows.end(), 0.0);
    input.add(0, n, s, rows);
    lif.update(0, n, s, rows, spikes, health);
    if (s < warmup) continue;
    for (std::uint32_t i = 0; i < n; ++i) {
      const double v = lif.value(0, i) + 70.0;
      sum += v;
      sum2 += v * v;
    }
    count += n;
  }
  EXPECT_TRUE(spikes.empty());
  return {sum / count, sum2 / count - (sum / count) * (sum / count)};
}

// PSP kernels h(t) [mV per pA of weight] of an exp and an alpha current (tau_s) on tau_m, C.
double exp_psp(double t, double tau_s, double tau_m, double c) {
  return tau_m * tau_s / (c * (tau_m - tau_s)) * (std::exp(-t / tau_m) - std::exp(-t / tau_s));
}
double alpha_psp(double t, double tau_s, double tau_m, double c) {
  const double a = 1.0 / tau_s - 1.0 / tau_m;
  return std::numbers::e / (tau_s * c) *
         (std::exp(-t / tau_m) / (a * a) - std::exp(-t / tau_s) * (1.0 / (a * a) + t / a));
}

void check_campbell(const std::string& synapse, double (*psp)(double, double, double, double)) {
  const double dt = 0.1, rate = 8000.0, w = 87.8, tau_s = 0.5, tau_m = 10.0, c = 250.0;
  const double lambda = rate * dt * 1e-3;
  double s1 = 0.0, s2 = 0.0;  // sums over lags of h and h^2
  for (int k = 0; k < 20000; ++k) {
    const double h = psp(k * dt, tau_s, tau_m, c);
    s1 += h;
    s2 += h * h;
  }
  const double mean = lambda * w * s1, var = lambda * w * w * s2;
  const std::uint32_t n = 400;
  const double t = 2000.0;
  const Moments m = simulate(synapse, rate, w, n, t);
  // Standard error of the mean: correlation time <= tau_m + tau_s, so at least
  // n t / (2 (tau_m + tau_s)) independent samples.
  const double se = std::sqrt(var / (n * t / (2.0 * (tau_m + tau_s))));
  EXPECT_NEAR(m.mean, mean, 5.0 * se) << synapse << ": mean " << m.mean << " vs " << mean;
  EXPECT_NEAR(m.var, var, 0.03 * var) << synapse << ": variance " << m.var << " vs " << var;
  std::printf(
      "%s: <V - E_L> = %.4f mV (Campbell %.4f), var %.4f mV^2 (Campbell %.4f), "
      "5 SE = %.4f mV\n",
      synapse.c_str(), m.mean, mean, m.var, var, 5 * se);
}

TEST(PoissonCampbell, ExpCurrentFreeMembraneMeanAndVariance) {
  // Integral form: nu w tau_s tau_m / C = 8 / ms * 87.8 pA * 0.5 ms * 10 ms / 250 pF = 14.05 mV.
  const double integral = 8.0 * 87.8 * 0.5 * 10.0 / 250.0;
  double s1 = 0.0;
  for (int k = 0; k < 20000; ++k) s1 += exp_psp(k * 0.1, 0.5, 10.0, 250.0);
  EXPECT_NEAR(0.8 * 87.8 * s1, integral, 5e-4 * integral);  // sums vs integral: O(dt^2)
  check_campbell("exp_current", exp_psp);
}

TEST(PoissonCampbell, AlphaCurrentFreeMembraneMeanAndVariance) {
  // Integral form: nu w e tau_s tau_m / C (the alpha current carries charge w e tau_s).
  const double integral = 8.0 * 87.8 * std::numbers::e * 0.5 * 10.0 / 250.0;
  double s1 = 0.0;
  for (int k = 0; k < 20000; ++k) s1 += alpha_psp(k * 0.1, 0.5, 10.0, 250.0);
  EXPECT_NEAR(0.8 * 87.8 * s1, integral, 5e-4 * integral);
  check_campbell("alpha_current", alpha_psp);
}

}  // namespace
}  // namespace myelin
