// LIF f-I curve against the closed form
//   f(I) = 1 / (t_ref + tau_m ln(R I / (R I - (V_th - E_L))))
// and against Brian2 2.5.1's error at the same dt (numbers copied from
// ../shared/reference/lif_fi.json, records[dt].rel_err_isi: exact integration, threshold on
// the grid, T = 5 s). Myelin resolves the crossing and the end of the refractory period inside
// the step, so its error must be no larger than Brian2's at every current, and far smaller.

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <vector>

#include "model/lif.hpp"

namespace myelin {
namespace {

constexpr double tau_m = 10.0, c_m = 1000.0, e_l = -70.0, v_th = -55.0, v_reset = -70.0,
                 t_ref = 2.0;
const std::vector<double> currents_na = {1.0, 1.5, 1.51, 1.55, 1.6, 1.8, 2.0,
                                         2.5, 3.0, 4.0,  5.0,  7.5, 10.0};
// Brian2 rel_err_isi (null where the analytic rate is 0).
const std::vector<double> brian_dt01 = {0,
                                        0,
                                        0.0013972815383737278,
                                        0.0010984034394342687,
                                        0.0008716236497578333,
                                        0.0008841553909822025,
                                        0.003983772860690344,
                                        0.005667326012752321,
                                        0.00353615793252287,
                                        5.416784679964092e-06,
                                        0.012136261706786165,
                                        0.007484645986213516,
                                        0.006997026382708226};
const std::vector<double> brian_dt001 = {0,
                                         0,
                                         5.363941248395444e-05,
                                         0.00027173258605734074,
                                         0.00019808958269879417,
                                         0.00038145114417618503,
                                         0.00018559969728285794,
                                         0.00026051243203841103,
                                         0.00016481585660167781,
                                         5.416784679964092e-06,
                                         0.0012139279473604282,
                                         0.00033936480900655525,
                                         0.0014335068999307128};

double analytic_rate_hz(double current_na) {
  const double ri = tau_m / c_m * current_na * 1000.0;  // [mV]
  if (ri <= v_th - e_l) return 0.0;
  return 1000.0 / (t_ref + tau_m * std::log(ri / (ri - (v_th - e_l))));
}

// 1 / mean ISI between the first and the last spike of a `seconds` run.
double simulated_rate_hz(double current_na, double dt, double seconds) {
  PopulationSpec pop;
  pop.name = "fi";
  pop.model = "lif";
  pop.size = 1;
  for (const auto& info : lif_parameters())
    pop.params[std::string(info.name)] = ParamValue::constant(info.default_value);
  pop.params["tau_m"] = ParamValue::constant(tau_m);
  pop.params["C_m"] = ParamValue::constant(c_m);
  pop.params["E_L"] = ParamValue::constant(e_l);
  pop.params["V_th"] = ParamValue::constant(v_th);
  pop.params["V_reset"] = ParamValue::constant(v_reset);
  pop.params["t_ref"] = ParamValue::constant(t_ref);
  pop.params["I_e"] = ParamValue::constant(current_na * 1000.0);
  const std::vector<Gid> gids{0};
  LifPopulation lif(pop, gids, 0, ModelContext{.dt = dt, .seed = 1, .v_bound = 1e4, .ports = {}});
  const std::vector<double> input{0.0};
  std::vector<Spike> spikes;
  Health health;
  const auto steps = static_cast<Step>(std::llround(seconds * 1000.0 / dt));
  for (Step s = 0; s < steps; ++s) lif.update(0, 1, s, input, spikes, health);
  EXPECT_FALSE(health.failed);
  if (spikes.size() < 2) return 0.0;
  const double span_ms = static_cast<double>(spikes.back().step - spikes.front().step) * dt;
  return 1000.0 * static_cast<double>(spikes.size() - 1) / span_ms;
}

void check_fi(double dt, const std::vector<double>& brian_error, double seconds) {
  for (std::size_t i = 0; i < currents_na.size(); ++i) {
    const double expected = analytic_rate_hz(currents_na[i]);
    const double rate = simulated_rate_hz(currents_na[i], dt, seconds);
    if (expected == 0.0) {
      EXPECT_EQ(rate, 0.0) << "I = " << currents_na[i] << " nA is at or below rheobase";
      continue;
    }
    const double error = std::abs(rate - expected) / expected;
    std::printf(
        "dt %.3f ms  I %5.2f nA  analytic %9.4f Hz  myelin %9.4f Hz  rel.err %.2e  (Brian2 %.2e)\n",
        dt, currents_na[i], expected, rate, error, brian_error[i]);
    EXPECT_LE(error, brian_error[i]) << "I = " << currents_na[i] << " nA, dt = " << dt;
  }
}

// Spike times are reported on the grid, so 1/mean ISI over a run of T seconds carries a
// measurement error of at most dt / T; 100 s keeps it below 1e-6 at dt = 0.1 ms.
TEST(LifFiCurve, BeatsBrian2AtDt01) {
  check_fi(0.1, brian_dt01, 100.0);
}
TEST(LifFiCurve, BeatsBrian2AtDt001) {
  check_fi(0.01, brian_dt001, 20.0);
}

}  // namespace
}  // namespace myelin
