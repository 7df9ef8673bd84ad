// Bounded normal distributions { normal = [mean, sd], min, max } (NEST's redraw): the draws are
// the truncated normal (moments against its closed form), never outside the bounds, keyed like
// the unbounded draws; the parser's checks; per-neuron initial values from a normal.

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <string>
#include <vector>

#include "config/config_parser.hpp"
#include "core/param_draw.hpp"
#include "model/hh.hpp"
#include "model/izhikevich.hpp"
#include "model/lif.hpp"
#include "myelin/errors.hpp"

namespace myelin {
namespace {

double phi(double x) {
  return std::exp(-0.5 * x * x) / std::sqrt(2.0 * std::numbers::pi);
}
double big_phi(double x) {
  return 0.5 * std::erfc(-x / std::sqrt(2.0));
}

// Mean and variance of N(mu, sd^2) truncated to [lo, hi] (Johnson, Kotz & Balakrishnan).
std::pair<double, double> truncated_moments(double mu, double sd, double lo, double hi) {
  const double a = (lo - mu) / sd, b = (hi - mu) / sd;
  const double z = big_phi(b) - big_phi(a);
  const double pa = std::isfinite(a) ? phi(a) : 0.0, pb = std::isfinite(b) ? phi(b) : 0.0;
  const double aa = std::isfinite(a) ? a * pa : 0.0, bb = std::isfinite(b) ? b * pb : 0.0;
  const double mean = mu + sd * (pa - pb) / z;
  const double var = sd * sd * (1.0 + (aa - bb) / z - ((pa - pb) / z) * ((pa - pb) / z));
  return {mean, var};
}

TEST(BoundedNormal, DrawsAreTheTruncatedNormal) {
  const double inf = std::numeric_limits<double>::infinity();
  struct Case {
    double mu, sd, lo, hi;
  };
  // Microcircuit-like: excitatory weight 87.8 pA, sd 10 %, min 0; inhibitory -351.2, max 0;
  // delays 1.5 +- 0.75 ms with min dt; V0 -58 +- 10 mV in [-70, -50]; a one-sided tail cut.
  for (const Case c :
       {Case{87.8, 8.78, 0.0, inf}, Case{-351.2, 35.12, -inf, 0.0}, Case{1.5, 0.75, 0.1, inf},
        Case{-58.0, 10.0, -70.0, -50.0}, Case{0.0, 1.0, 1.0, inf}}) {
    ParamValue v{ParamValue::Kind::normal, c.mu, c.sd};
    v.min = c.lo;
    v.max = c.hi;
    const int n = 200000;
    double sum = 0.0, sum2 = 0.0, lo = inf, hi = -inf;
    for (int i = 0; i < n; ++i) {
      const double x = draw(v, 99, rng::Stream::synapse, 17, static_cast<std::uint32_t>(i), 0);
      sum += x;
      sum2 += x * x;
      lo = std::min(lo, x);
      hi = std::max(hi, x);
    }
    const double mean = sum / n, var = sum2 / n - mean * mean;
    const auto [m, s2] = truncated_moments(c.mu, c.sd, c.lo, c.hi);
    EXPECT_GE(lo, c.lo);
    EXPECT_LE(hi, c.hi);
    EXPECT_NEAR(mean, m, 5.0 * std::sqrt(s2 / n)) << c.mu << " " << c.sd;
    EXPECT_NEAR(var, s2, 0.02 * s2) << c.mu << " " << c.sd;
  }
  // The cut matters: the one-sided tail [1, inf) of N(0, 1) has mean phi(1) / (1 - Phi(1)).
  EXPECT_NEAR(truncated_moments(0.0, 1.0, 1.0, inf).first, 1.525135, 1e-6);
}

TEST(BoundedNormal, ValuesInsideTheBoundsAreTheUnboundedDraw) {
  // Attempt 0 is the unbounded draw, so adding bounds changes only the values outside them.
  ParamValue plain{ParamValue::Kind::normal, 0.0, 1.0};
  ParamValue bounded = plain;
  bounded.min = -1.0;
  bounded.max = 1.5;
  int inside = 0;
  for (std::uint32_t i = 0; i < 10000; ++i) {
    const double x = draw(plain, 5, rng::Stream::parameter, 3, i, 8);
    const double y = draw(bounded, 5, rng::Stream::parameter, 3, i, 8);
    EXPECT_EQ(y, draw(bounded, 5, rng::Stream::parameter, 3, i, 8));  // a pure function
    if (x >= -1.0 && x <= 1.5) {
      EXPECT_EQ(x, y);
      ++inside;
    } else {
      EXPECT_GE(y, -1.0);
      EXPECT_LE(y, 1.5);
    }
  }
  EXPECT_GT(inside, 7500);  // Phi(1.5) - Phi(-1) = 0.77
  EXPECT_LT(inside, 7900);
}

const char* base = R"(
[simulation]
dt = 0.1
seed = 4
[population.e]
model = "lif"
size = 2000
V_m = { normal = [-58.0, 10.0], min = -70.0, max = -50.0 }
[population.i]
model = "lif"
size = 10
[projection.ei]
source = "e"
target = "i"
rule = "all_to_all"
synapse = "exp_current"
tau_syn = 0.5
weight = { normal = [87.8, 8.78], min = 0.0 }
)";

std::string error_of(const std::string& set) {
  try {
    parse_config(base, {set});
  } catch (const InputError& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(BoundedNormal, ConfigSyntaxAndErrors) {
  const Config c = parse_config(base, {});
  const ParamValue& w = c.projections[0].weight;
  EXPECT_EQ(w.kind, ParamValue::Kind::normal);
  EXPECT_EQ(w.min, 0.0);
  EXPECT_TRUE(std::isinf(w.max));
  EXPECT_EQ(w.lower(), 0.0);
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"projection.ei.weight={ normal = [1.0, 1.0], min = 2.0, max = 1.0 }", "needs min < max"},
      // 1 - Phi(5) = 2.87e-7 of the distribution inside: redrawing would be hopeless.
      {"projection.ei.weight={ normal = [0.0, 1.0], min = 5.0 }",
       "holds 2.86652e-07 of the normal; redrawing needs at least 0.01"},
      {"projection.ei.weight={ normal = [0.0, 1.0], low = 0.0 }",
       "projection.ei.weight = { low = 0.0, normal = [ 0.0, 1.0 ] }: must be a number"},
      {"projection.ei.weight={ normal = [0.0, 1.0], min = 0.0, mode = 1 }",
       "projection.ei.weight.mode = 1: unknown key of a bounded normal"},
      {"projection.ei.weight={ uniform = [0.0, 1.0], min = 0.0 }", "must be a number"},
      {"projection.ei.weight={ normal = [0.0, -1.0], min = 0.0 }", "normal needs sd >= 0"},
      {"projection.ei.weight={ normal = [0.0, 1.0], min = \"a\" }",
       "projection.ei.weight.min = \"a\": must be a number"},
      {"projection.ei.delay={ normal = [1.5, 0.75], min = 0.05 }", "needs min >= dt"},
      {"population.e.tau_m={ normal = [10.0, 5.0], min = -1.0 }",
       "population.e.tau_m = "},  // a draw <= 0 still fails the parameter's range check
  };
  for (const auto& [set, expected] : cases)
    EXPECT_NE(error_of(set).find(expected), std::string::npos) << set << " -> " << error_of(set);
  // Conductances: a normal weight is accepted once min >= 0 bounds it.
  const std::string g = "projection.ei.synapse=\"exp_conductance\"";
  EXPECT_EQ(error_of(g).find("must be >= 0 for every synapse"), std::string::npos) << error_of(g);
  try {
    parse_config(base, {g, "projection.ei.E_rev=0.0", "projection.ei.weight={ normal = [1, 1] }"});
    FAIL() << "an unbounded normal conductance was accepted";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("must be >= 0 for every synapse"), std::string::npos);
  }
}

// Initial membrane potentials from a normal (the microcircuit's V0 "optimized" means and SDs),
// for every model with a V_m initial value; each neuron's value depends on its index only.
TEST(InitialConditions, NormalInitialVmPerPopulation) {
  for (const char* model : {"lif", "izhikevich", "hh"}) {
    const std::string text = std::string(R"(
[population.p]
model = ")") + model + R"("
size = 20000
V_m = { normal = [-58.0, 5.0] }
)";
    const Config c = parse_config(text, {});
    const std::uint32_t n = 20000;
    std::vector<Gid> all(n), odd;
    for (std::uint32_t i = 0; i < n; ++i) all[i] = i;
    for (std::uint32_t i = 1; i < n; i += 2) odd.push_back(i);
    const ModelContext ctx{.dt = 0.1, .seed = 7, .v_bound = 1e4, .ports = {}};
    const auto initial = [&](std::span<const Gid> gids) {
      std::vector<double> v;
      const PopulationConfig& pop = c.populations[0];
      if (std::string(model) == "lif") {
        const LifPopulation p(pop, gids, 0, ctx);
        for (std::size_t i = 0; i < gids.size(); ++i) v.push_back(p.value(0, i));
      } else if (std::string(model) == "izhikevich") {
        const IzhikevichPopulation p(pop, gids, 0, ctx);
        for (std::size_t i = 0; i < gids.size(); ++i) v.push_back(p.value(0, i));
      } else {
        const HhPopulation p(pop, gids, 0, ctx);
        for (std::size_t i = 0; i < gids.size(); ++i) v.push_back(p.value(0, i));
      }
      return v;
    };
    const auto v = initial(all);
    double sum = 0.0, sum2 = 0.0;
    for (const double x : v) {
      sum += x;
      sum2 += x * x;
    }
    const double mean = sum / n, sd = std::sqrt(sum2 / n - mean * mean);
    EXPECT_NEAR(mean, -58.0, 5.0 * 5.0 / std::sqrt(n)) << model;
    EXPECT_NEAR(sd, 5.0, 5.0 * 5.0 / std::sqrt(2.0 * n)) << model;
    const auto w = initial(odd);  // another rank's share: the same values for the same neurons
    for (std::size_t j = 0; j < odd.size(); ++j) ASSERT_EQ(w[j], v[odd[j]]) << model;
  }
}

}  // namespace
}  // namespace myelin
