// The SIMD kernel of the Hodgkin-Huxley populations (model/hh_kernel.hpp): its rate functions
// at their removable singularities and against the scalar ones, the same bits for a neuron
// whatever the range split or population size (vector body or padded tail), agreement with
// the scalar libm scheme it replaced, and the health report of a blow-up.

#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "model/hh.hpp"
#include "model/hh_kernel.hpp"

namespace myelin {
namespace {

std::vector<GateRates> kernel_rates(RateSet set, const std::vector<double>& v, double v_t) {
  std::vector<GateRates> out(v.size());
  const std::vector<double> vt(v.size(), v_t);
  hh_kernel::rates(set, v, vt, out);
  return out;
}

// coef * x / (exp(x / y) - 1) in long double, from the same double x the kernel forms.
double vtrap_ref(double coef, double x, double y) {
  const long double r = static_cast<long double>(x) / y;
  return static_cast<double>(coef * (r == 0 ? y : x / std::expm1(r)));
}

TEST(HhKernelRates, ExactToRoundingAtAndNearTheSingularities) {
  // Squid alpha_m at -40 mV, alpha_n at -55; Traub-Miles alpha_m, beta_m, alpha_n at V_T + 13,
  // + 40, + 15: the limits of x / (exp(x / y) - 1) there, and within rounding of it around.
  const double v_t = -63.0;
  const std::vector<double> at{-40.0, -55.0, v_t + 13.0, v_t + 40.0, v_t + 15.0};
  std::vector<double> v;
  for (const double a : at) {
    v.push_back(a);
    for (const double eps : {1e-14, 1e-12, 1e-9, 1e-8, 1e-7, 1e-5, 1e-3, 0.1})
      for (const double sign : {-1.0, 1.0}) v.push_back(a + sign * eps);
  }
  const auto squid = kernel_rates(RateSet::squid_axon, v, 0.0);
  const auto traub = kernel_rates(RateSet::traub_miles, v, v_t);
  const std::size_t per = v.size() / at.size();
  EXPECT_EQ(squid[0].alpha_m, 1.0);
  EXPECT_EQ(squid[per].alpha_n, 0.1);
  EXPECT_DOUBLE_EQ(traub[2 * per].alpha_m, 0.32 * 4.0);
  EXPECT_DOUBLE_EQ(traub[3 * per].beta_m, 0.28 * 5.0);
  EXPECT_DOUBLE_EQ(traub[4 * per].alpha_n, 0.032 * 5.0);
  for (std::size_t k = 0; k < v.size(); ++k) {
    const double u = v[k] - v_t;
    const auto [got, want] =
        k < per       ? std::pair{squid[k].alpha_m, vtrap_ref(0.1, -(v[k] + 40.0), 10.0)}
        : k < 2 * per ? std::pair{squid[k].alpha_n, vtrap_ref(0.01, -(v[k] + 55.0), 10.0)}
        : k < 3 * per ? std::pair{traub[k].alpha_m, vtrap_ref(0.32, 13.0 - u, 4.0)}
        : k < 4 * per ? std::pair{traub[k].beta_m, vtrap_ref(0.28, u - 40.0, 5.0)}
                      : std::pair{traub[k].alpha_n, vtrap_ref(0.032, 15.0 - u, 5.0)};
    EXPECT_NEAR(got, want, 3e-16 * want) << "V " << v[k] << " (" << v[k] - v[k / per * per] << ")";
  }
}

TEST(HhKernelRates, AgreeWithTheScalarRatesAndStayFiniteFarOut) {
  std::vector<double> v;
  for (double x = -120.0; x <= 80.0; x += 0.0137) v.push_back(x);
  const auto squid = kernel_rates(RateSet::squid_axon, v, 0.0);
  const auto traub = kernel_rates(RateSet::traub_miles, v, -63.0);
  const auto close = [](double a, double b) { return std::abs(a - b) <= 1e-14 * std::abs(b); };
  for (std::size_t k = 0; k < v.size(); ++k) {
    const GateRates s = SquidAxonRates::rates(v[k], 0.0);
    const GateRates t = TraubMilesRates::rates(v[k], -63.0);
    const GateRates* pairs[2][2] = {{&squid[k], &s}, {&traub[k], &t}};
    for (const auto& [vec, ref] : pairs) {
      EXPECT_TRUE(close(vec->alpha_m, ref->alpha_m)) << v[k] << " " << vec->alpha_m;
      EXPECT_TRUE(close(vec->beta_m, ref->beta_m)) << v[k] << " " << vec->beta_m;
      EXPECT_TRUE(close(vec->alpha_h, ref->alpha_h)) << v[k] << " " << vec->alpha_h;
      EXPECT_TRUE(close(vec->beta_h, ref->beta_h)) << v[k] << " " << vec->beta_h;
      EXPECT_TRUE(close(vec->alpha_n, ref->alpha_n)) << v[k] << " " << vec->alpha_n;
      EXPECT_TRUE(close(vec->beta_n, ref->beta_n)) << v[k] << " " << vec->beta_n;
    }
  }
  // Up to the blow-up bound |V| = 1e4 mV no rate is NaN (exp arguments are clamped).
  const std::vector<double> far{-1e4, -5e3, -3000.0, 3000.0, 5e3, 1e4};
  for (const auto set : {RateSet::squid_axon, RateSet::traub_miles})
    for (const GateRates& r : kernel_rates(set, far, -63.0))
      for (const double x : {r.alpha_m, r.beta_m, r.alpha_h, r.beta_h, r.alpha_n, r.beta_n})
        EXPECT_FALSE(std::isnan(x));
}

PopulationSpec traub_config(std::size_t size) {
  PopulationSpec pop;
  pop.name = "t";
  pop.model = "traub_miles";
  pop.size = size;
  for (const auto& info : traub_miles_parameters())
    pop.params[std::string(info.name)] = ParamValue::constant(info.default_value);
  pop.params["V_m"] = ParamValue{ParamValue::Kind::normal, -60.0, 6.0};
  pop.params["noise_sigma"] = ParamValue::constant(40.0);
  pop.params["I_e"] = ParamValue{ParamValue::Kind::uniform, 100.0, 500.0};
  return pop;
}

const std::vector<PortSpec> three_ports = {{SynapseKind::exp_conductance, 5.0, 0.0},
                                           {SynapseKind::exp_conductance, 10.0, -80.0},
                                           {SynapseKind::delta, 0.0, 0.0}};

// The input of neuron i in step s on port q: a function of (q, i, s) only, never of the size.
double input_of(std::size_t q, std::size_t i, Step s) {
  const auto k = static_cast<std::size_t>(s);
  if (q == 0) return (i * 7 + k) % 13 == 0 ? 6.0 : 0.0;
  if (q == 1) return (i * 3 + k) % 17 == 0 ? 8.0 : 0.0;
  return (i + k) % 29 == 0 ? 0.5 : 0.0;
}

struct SplitRun {
  std::vector<std::uint64_t> bits;  // V_m, m, h, n of each neuron, as bits
  std::vector<Spike> spikes;        // with their offsets
};

// `size` neurons, advanced over the ranges between consecutive `cuts`; the first `keep`
// neurons' results are returned.
SplitRun run_split(std::size_t size, const std::vector<std::size_t>& cuts, std::size_t keep) {
  std::vector<Gid> gids(size);
  for (std::size_t i = 0; i < size; ++i) gids[i] = static_cast<Gid>(i);
  TraubMilesPopulation pop(
      traub_config(size), gids, 0,
      ModelContext{.dt = 0.1, .seed = 7, .v_bound = 1e4, .ports = three_ports});
  std::vector<double> input(three_ports.size() * size);
  std::vector<Spike> spikes;
  Health health;
  for (Step s = 0; s < 500; ++s) {
    for (std::size_t q = 0; q < three_ports.size(); ++q)
      for (std::size_t i = 0; i < size; ++i) input[q * size + i] = input_of(q, i, s);
    for (std::size_t c = 0; c + 1 < cuts.size(); ++c)
      pop.update(cuts[c], cuts[c + 1], s, input, spikes, health);
  }
  EXPECT_FALSE(health.failed);
  SplitRun run;
  for (std::size_t i = 0; i < keep; ++i)
    for (std::size_t var = 0; var < 4; ++var)
      run.bits.push_back(std::bit_cast<std::uint64_t>(pop.value(var, i)));
  for (const Spike& sp : spikes) {
    if (sp.gid >= keep) continue;
    run.spikes.push_back(sp);
  }
  std::sort(run.spikes.begin(), run.spikes.end());
  return run;
}

TEST(HhKernel, SameBitsWhateverTheSplitOrPopulationSize) {
  // 37 neurons: a vector body and a tail for every lane width up to 8. Single-neuron ranges
  // run every neuron through the padded tail; the population of 41 puts them in other lanes.
  const SplitRun whole = run_split(37, {0, 37}, 37);
  ASSERT_GT(whole.spikes.size(), 40u) << "the test needs spikes";
  std::vector<std::size_t> singles;
  for (std::size_t i = 0; i <= 37; ++i) singles.push_back(i);
  const std::vector<std::vector<std::size_t>> splits = {
      {0, 1, 2, 5, 12, 13, 30, 36, 37}, {0, 3, 10, 19, 37}, {0, 17, 37}, singles};
  for (const auto& cuts : splits) {
    const SplitRun r = run_split(37, cuts, 37);
    EXPECT_EQ(r.bits, whole.bits) << "split at " << cuts[1];
    EXPECT_EQ(r.spikes, whole.spikes);
  }
  const SplitRun bigger = run_split(41, {0, 41}, 37);
  EXPECT_EQ(bigger.bits, whole.bits);
  EXPECT_EQ(bigger.spikes, whole.spikes);
}

// The scheme as it was before the kernel: scalar, libm exp / expm1 (hh_channels.hpp).
template <typename Rates>
struct ScalarCell {
  double c_m, g_na, g_k, g_l, e_na, e_k, e_l, i_e, v_t, v_th, phi, dt;
  double v, m, h, n;

  static double gate(double x, double a, double b, double phi_h) {
    const double s = a + b;
    const double x_inf = a / s;
    return x_inf + (x - x_inf) * std::exp(-phi_h * s);
  }
  void init() {
    const GateRates r = Rates::rates(v, v_t);
    m = r.alpha_m / (r.alpha_m + r.beta_m);
    h = r.alpha_h / (r.alpha_h + r.beta_h);
    n = r.alpha_n / (r.alpha_n + r.beta_n);
  }
  // Returns the spike offset in the step, or -1.
  double step() {
    const double gna = g_na * m * m * m * h;
    const double n2 = n * n;
    const double gk = g_k * n2 * n2;
    const double g = gna + gk + g_l;
    const double drive = gna * e_na + gk * e_k + g_l * e_l + i_e;
    const double z = 0.5 * dt * g / c_m;
    const double v_old = v;
    v = (v_old * (1.0 - z) + dt * drive / c_m) / (1.0 + z);
    const GateRates r = Rates::rates(v, v_t);
    const double phi_h = phi * dt;
    m = gate(m, r.alpha_m, r.beta_m, phi_h);
    h = gate(h, r.alpha_h, r.beta_h, phi_h);
    n = gate(n, r.alpha_n, r.beta_n, phi_h);
    return v_old < v_th && v >= v_th ? (v_th - v_old) / (v - v_old) : -1.0;
  }
};

template <typename Population, typename Rates>
void check_against_scalar(const std::string& model, std::span<const ParameterInfo> params,
                          double i_e, double dt, Step steps) {
  PopulationSpec pop;
  pop.name = "p";
  pop.model = model;
  pop.size = 1;
  for (const auto& info : params)
    pop.params[std::string(info.name)] = ParamValue::constant(info.default_value);
  pop.params["I_e"] = ParamValue::constant(i_e);
  const auto p = [&](const char* name) { return pop.params.at(name).a; };
  const std::vector<Gid> gids{0};
  Population cell(pop, gids, 0, ModelContext{.dt = dt, .seed = 1, .v_bound = 1e4, .ports = {}});
  ScalarCell<Rates> ref{p("C_m"),  p("g_Na"), p("g_K"),
                        p("g_L"),  p("E_Na"), p("E_K"),
                        p("E_L"),  i_e,       pop.params.count("V_T") ? p("V_T") : 0.0,
                        p("V_th"), 1.0,       dt,
                        p("V_m"),  0.0,       0.0,
                        0.0};
  ref.phi = std::pow(p("q10"), (ModelContext{}.temperature - p("T_rate")) / 10.0);
  ref.init();
  const std::vector<double> input{0.0};
  std::vector<Spike> spikes;
  Health health;
  double worst_v = 0.0, worst_gate = 0.0, worst_t = 0.0;
  std::size_t n_ref = 0;
  for (Step s = 0; s < steps; ++s) {
    cell.update(0, 1, s, input, spikes, health);
    const double offset = ref.step();
    worst_v = std::max(worst_v, std::abs(cell.value(0, 0) - ref.v));
    worst_gate = std::max({worst_gate, std::abs(cell.value(1, 0) - ref.m),
                           std::abs(cell.value(2, 0) - ref.h), std::abs(cell.value(3, 0) - ref.n)});
    if (offset >= 0.0) {
      ASSERT_LT(n_ref, spikes.size()) << "scalar spike at step " << s << " missing";
      EXPECT_EQ(spikes[n_ref].step, s);
      worst_t = std::max(worst_t, std::abs(static_cast<double>(spikes[n_ref].offset) - offset));
      ++n_ref;
    }
  }
  EXPECT_EQ(spikes.size(), n_ref);
  EXPECT_GE(n_ref, 3u);
  std::printf(
      "%s vs scalar libm scheme over %lld steps: %zu spikes, max |dV| %.3g mV, "
      "max |d gate| %.3g, max |d offset| %.3g\n",
      model.c_str(), static_cast<long long>(steps), n_ref, worst_v, worst_gate, worst_t);
  EXPECT_LT(worst_v, 1e-8);
  EXPECT_LT(worst_gate, 1e-10);
  EXPECT_LT(worst_t, 1e-6);  // the offset is a float
}

TEST(HhKernel, AgreesWithTheScalarSchemeOverAShortTrajectory) {
  check_against_scalar<HhPopulation, SquidAxonRates>("hh", hh_parameters(), 1000.0, 0.01, 10000);
  check_against_scalar<TraubMilesPopulation, TraubMilesRates>(
      "traub_miles", traub_miles_parameters(), 200.0, 0.1, 1000);
}

TEST(HhKernel, FirstBlowUpReportedWithGidStepAndVariable) {
  // A delta input of 1e5 mV into neurons 13 and 30 at step 4: the first, 13, is reported.
  const std::size_t size = 37;
  std::vector<Gid> gids(size);
  for (std::size_t i = 0; i < size; ++i) gids[i] = static_cast<Gid>(100 + i);
  TraubMilesPopulation pop(traub_config(size), gids, 100,
                           ModelContext{.dt = 0.1, .seed = 7, .v_bound = 1e4, .ports = {}});
  Health health;
  std::vector<Spike> spikes;
  for (Step s = 0; s < 6 && !health.failed; ++s) {
    std::vector<double> input(size, 0.0);
    if (s == 4) input[13] = input[30] = 1e5;
    pop.update(0, size, s, input, spikes, health);
  }
  ASSERT_TRUE(health.failed);
  EXPECT_EQ(health.step, 4);
  EXPECT_EQ(health.gid, 113u);
  EXPECT_EQ(health.variable, 0u);
  EXPECT_GT(health.value, 1e4);
}

}  // namespace
}  // namespace myelin
