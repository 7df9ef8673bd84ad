// Poisson input: the counter-based Poisson sampler against its distribution, and the drive a
// population receives ([input.NAME] type = "poisson"): moments, time window, split
// independence; dc windows.

#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "config/config_parser.hpp"
#include "model/dc_input.hpp"
#include "model/hh.hpp"
#include "model/izhikevich.hpp"
#include "model/lif.hpp"
#include "myelin/errors.hpp"
#include "synapse/external_input.hpp"
#include "synapse/poisson.hpp"
#include "synapse/receptor_ports.hpp"

namespace myelin {
namespace {

double poisson_pmf(double lambda, std::uint64_t k) {
  return std::exp(-lambda + static_cast<double>(k) * std::log(lambda) - log_factorial(k));
}

TEST(PoissonSampler, LogFactorialIsExactEnough) {
  for (std::uint64_t k : {0u, 1u, 5u, 63u, 64u, 65u, 100u, 1000u, 100000u})
    EXPECT_NEAR(log_factorial(k), std::lgamma(static_cast<double>(k) + 1.0),
                1e-13 * std::max(1.0, std::lgamma(static_cast<double>(k) + 1.0)))
        << k;
}

// Mean, variance (both lambda) and the whole distribution (chi-square over bins with at least
// 20 expected counts) of 400,000 draws, for means on both sides of the inversion/PTRS switch.
TEST(PoissonSampler, MomentsAndDistributionMatchPoisson) {
  const int n = 400000;
  for (const double lambda : {0.02, 1.6, 9.99, 10.0, 37.5, 800.0}) {
    std::map<std::uint64_t, int> hist;
    double sum = 0.0, sum2 = 0.0;
    for (int j = 0; j < n; ++j) {
      const auto k = poisson_count(lambda, 42, 7, static_cast<std::uint32_t>(j % 1000),
                                   static_cast<Step>(j / 1000));
      ++hist[k];
      sum += static_cast<double>(k);
      sum2 += static_cast<double>(k) * static_cast<double>(k);
    }
    const double mean = sum / n, var = sum2 / n - mean * mean;
    EXPECT_NEAR(mean, lambda, 5.0 * std::sqrt(lambda / n)) << lambda;
    // SD of the sample variance of a Poisson: sqrt((lambda + 2 lambda^2) / n).
    EXPECT_NEAR(var, lambda, 5.0 * std::sqrt((lambda + 2.0 * lambda * lambda) / n)) << lambda;
    // Chi-square: consecutive k merged until each bin expects >= 20; tails in the end bins.
    double chi2 = 0.0, expected_bin = 0.0, observed_bin = 0.0, cdf = 0.0;
    int bins = 0;
    const auto k_max = static_cast<std::uint64_t>(lambda + 12.0 * std::sqrt(lambda) + 12.0);
    for (std::uint64_t k = 0; k <= k_max; ++k) {
      const double p = poisson_pmf(lambda, k);
      cdf += p;
      expected_bin += (k == k_max ? 1.0 - (cdf - p) : p) * n;
      observed_bin += hist.count(k) ? hist[k] : 0;
      if (k == k_max) {
        for (const auto& [kk, c] : hist)
          if (kk > k_max) observed_bin += c;
      }
      if (expected_bin >= 20.0 || k == k_max) {
        chi2 += (observed_bin - expected_bin) * (observed_bin - expected_bin) / expected_bin;
        ++bins;
        expected_bin = observed_bin = 0.0;
      }
    }
    const double dof = bins - 1;
    EXPECT_LT(chi2, dof + 5.0 * std::sqrt(2.0 * dof) + 5.0)
        << "lambda " << lambda << ", " << bins << " bins";
  }
}

TEST(PoissonSampler, DrawsAreKeyedByInputNeuronAndStep) {
  // The same key gives the same count; changing any part of the key changes the stream.
  const double lambda = 3.0;
  int same_input = 0, same_gid = 0, same_step = 0, same_seed = 0;
  for (Step s = 0; s < 2000; ++s) {
    const auto k = poisson_count(lambda, 1, 10, 5, s);
    EXPECT_EQ(k, poisson_count(lambda, 1, 10, 5, s));
    same_input += k == poisson_count(lambda, 1, 11, 5, s);
    same_gid += k == poisson_count(lambda, 1, 10, 6, s);
    same_step += k == poisson_count(lambda, 1, 10, 5, s + 2000);
    same_seed += k == poisson_count(lambda, 2, 10, 5, s);
  }
  // Independent Poisson(3) counts coincide with probability sum_k p_k^2 = 0.17.
  for (const int same : {same_input, same_gid, same_step, same_seed}) {
    EXPECT_GT(same, 250);
    EXPECT_LT(same, 440);
  }
}

const char* drive_config = R"(
[simulation]
dt = 0.1
seed = 3
[population.a]
model = "lif"
size = 5
[population.b]
model = "lif"
size = 1000
[input.bg]
type = "poisson"
target = "b"
rate = 8000.0
weight = 87.8
synapse = "exp_current"
tau_syn = 0.5
start = 10.0
stop = 30.0
[input.extra]
type = "poisson"
target = "b"
rate = 400.0
weight = 2.0
[projection.ab]
source = "a"
target = "b"
rule = "all_to_all"
synapse = "exp_current"
tau_syn = 0.5
weight = 1.0
)";

TEST(PoissonInput, EachNeuronGetsWeightTimesPoissonRateDtInItsPort) {
  const Config config = parse_config(drive_config, {});
  ASSERT_EQ(config.poisson_inputs.size(), 2u);
  const ReceptorPorts ports = receptor_ports(config);
  // bg shares the projection's port (same kinetics); extra (delta) gets a port of its own.
  EXPECT_EQ(ports.of_population[1].size(), 2u);
  EXPECT_EQ(ports.of_poisson_input[0], ports.of_projection[0]);
  EXPECT_EQ(ports.of_poisson_input[1], 1u);
  std::vector<Gid> gids(1000);
  for (std::uint32_t i = 0; i < 1000; ++i) gids[i] = 5 + i;
  const ExternalInput input(config, 1, gids);
  ASSERT_FALSE(input.empty());
  EXPECT_TRUE(ExternalInput(config, 0, std::vector<Gid>{0, 1, 2, 3, 4}).empty());
  // Step 100 covers (10, 10.1] ms: bg is active from step 100 to step 299.
  const double lambda_bg = 8000.0 * 0.1e-3, lambda_extra = 400.0 * 0.1e-3;
  for (const Step step : {Step{99}, Step{100}, Step{299}, Step{300}}) {
    std::vector<double> rows(2 * 1000, 0.0);
    input.add(0, 1000, step, rows);
    const bool active = step >= 100 && step < 300;
    double m0 = 0.0, v0 = 0.0, m1 = 0.0;
    for (std::size_t i = 0; i < 1000; ++i) {
      m0 += rows[i];
      v0 += rows[i] * rows[i];
      m1 += rows[1000 + i];
      // Whole numbers of spikes times the weight.
      EXPECT_NEAR(std::remainder(rows[i], 87.8), 0.0, 1e-9);
      EXPECT_NEAR(std::remainder(rows[1000 + i], 2.0), 0.0, 1e-12);
    }
    m0 /= 1000.0;
    m1 /= 1000.0;
    v0 = v0 / 1000.0 - m0 * m0;
    if (!active) {
      EXPECT_EQ(m0, 0.0) << step;
    } else {
      EXPECT_NEAR(m0, 87.8 * lambda_bg, 5.0 * 87.8 * std::sqrt(lambda_bg / 1000.0)) << step;
      EXPECT_NEAR(v0, 87.8 * 87.8 * lambda_bg, 0.25 * 87.8 * 87.8 * lambda_bg) << step;
    }
    EXPECT_LT(m1, 2.0 * (lambda_extra + 5.0 * std::sqrt(lambda_extra / 1000.0)));
  }
  // Mean over 1000 neurons x 200 active steps against rate * dt * weight.
  double total = 0.0;
  for (Step step = 100; step < 300; ++step) {
    std::vector<double> rows(2 * 1000, 0.0);
    input.add(0, 1000, step, rows);
    for (std::size_t i = 0; i < 1000; ++i) total += rows[i];
  }
  const double n = 1000.0 * 200.0;
  EXPECT_NEAR(total / n / 87.8, lambda_bg, 5.0 * std::sqrt(lambda_bg / n));
}

TEST(PoissonInput, CountsDependOnlyOnTheNeuronNotOnTheSplit) {
  // A rank holding neurons 5..1004 and a rank holding every third of them see the same counts.
  const Config config = parse_config(drive_config, {});
  std::vector<Gid> all(1000), third;
  for (std::uint32_t i = 0; i < 1000; ++i) all[i] = 5 + i;
  for (std::uint32_t i = 0; i < 1000; i += 3) third.push_back(5 + i);
  const ExternalInput whole(config, 1, all), part(config, 1, third);
  for (Step step = 100; step < 120; ++step) {
    std::vector<double> a(2 * all.size(), 0.0), b(2 * third.size(), 0.0);
    whole.add(0, all.size(), step, a);
    // Two calls over halves of the range: thread ranges do not matter either.
    part.add(0, third.size() / 2, step, b);
    part.add(third.size() / 2, third.size(), step, b);
    for (std::size_t j = 0; j < third.size(); ++j) {
      EXPECT_EQ(b[j], a[3 * j]);
      EXPECT_EQ(b[third.size() + j], a[all.size() + 3 * j]);
    }
  }
}

std::string input_error_of(const std::string& set) {
  try {
    parse_config(drive_config, {set});
  } catch (const InputError& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(PoissonInput, BadValuesAreNamed) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"input.bg.rate=-1", "input.bg.rate = -1: must be >= 0 [Hz]"},
      {"input.bg.target=\"c\"", "input.bg.target = \"c\": no such population"},
      {"input.bg.type=\"sine\"", "input.bg.type = \"sine\": unknown input type"},
      {"input.bg.start=0.05", "input.bg.start = 0.05: must be >= 0 and a whole multiple of dt"},
      {"input.bg.stop=5.0", "input.bg.stop = 5: must be > start = 10"},
      {"input.bg.amplitude=3.0", "input.bg.amplitude = 3: not used by type \"poisson\""},
      {"input.bg.E_rev=0.0", "input.bg.E_rev = 0: not used by synapse \"exp_current\""},
      {"input.extra.tau_syn=1.0", "input.extra.tau_syn = 1: not used by synapse \"delta\""},
      {"input.bg.synapse=\"exp_conductance\"", "input.bg.E_rev = (missing): required"},
      {"input.bg.colour=1", "input.bg.colour = 1: unknown key"},
  };
  for (const auto& [set, expected] : cases)
    EXPECT_NE(input_error_of(set).find(expected), std::string::npos)
        << set << " -> " << input_error_of(set);
}

TEST(DcInput, WindowsAddUpInTheirSteps) {
  const Config config =
      parse_config(drive_config, {"input.pulse.type=\"dc\"", "input.pulse.target=\"a\"",
                                  "input.pulse.amplitude=150.0", "input.pulse.start=1.0",
                                  "input.pulse.stop=2.0", "input.hold.type=\"dc\"",
                                  "input.hold.target=\"a\"", "input.hold.amplitude=-20.0"});
  const auto& dc = config.populations[0].dc;
  ASSERT_EQ(dc.size(), 2u);
  EXPECT_EQ(dc_current(dc, 9), -20.0);
  EXPECT_EQ(dc_current(dc, 10), 130.0);  // step 10 covers (1.0, 1.1] ms
  EXPECT_EQ(dc_current(dc, 19), 130.0);
  EXPECT_EQ(dc_current(dc, 20), -20.0);
  EXPECT_EQ(dc_current(dc, 1000000), -20.0);
  EXPECT_NE(input_error_of("input.bg.type=\"dc\"")
                .find("input.bg.rate = 8000: not used by "
                      "type \"dc\""),
            std::string::npos)
      << input_error_of("input.bg.type=\"dc\"");
}

}  // namespace
}  // namespace myelin

namespace myelin {
namespace {

// A dc window acts exactly like I_e while it is on: the same trajectory as a population with
// that I_e (lif, izhikevich, hh), and on lif the closed-form relaxation towards E_L + R I.
template <typename Pop>
std::vector<double> trace(const PopulationConfig& pop, int steps) {
  const std::vector<Gid> gids{0};
  Pop p(pop, gids, 0, ModelContext{.dt = 0.1, .seed = 1, .v_bound = 1e4, .ports = {}});
  std::vector<double> v;
  std::vector<Spike> spikes;
  Health health;
  for (Step s = 0; s < steps; ++s) {
    p.update(0, 1, s, std::vector<double>{0.0}, spikes, health);
    v.push_back(p.value(0, 0));
  }
  return v;
}

TEST(DcInput, ActsLikeIeInsideItsWindow) {
  const std::string base = R"(
[population.p]
model = "MODEL"
size = 1
)";
  for (const std::string model : {"lif", "izhikevich", "hh"}) {
    std::string text = base;
    text.replace(text.find("MODEL"), 5, model);
    const std::string amp = model == "izhikevich" ? "5.0" : (model == "hh" ? "300.0" : "200.0");
    const auto dc = [&](const std::string& start, const std::string& stop) {
      return parse_config(
                 text, {"input.d.type=\"dc\"", "input.d.target=\"p\"", "input.d.amplitude=" + amp,
                        "input.d.start=" + start, "input.d.stop=" + stop})
          .populations[0];
    };
    const PopulationConfig from_start = dc("0.0", "20.0"), later = dc("10.0", "30.0");
    const PopulationConfig ie = parse_config(text, {"population.p.I_e=" + amp}).populations[0];
    const PopulationConfig plain = parse_config(text, {}).populations[0];
    const auto run = [&](const PopulationConfig& pop) {
      if (model == "lif") return trace<LifPopulation>(pop, 400);
      if (model == "izhikevich") return trace<IzhikevichPopulation>(pop, 400);
      return trace<HhPopulation>(pop, 400);
    };
    const auto a = run(from_start), b = run(ie), c = run(plain), d = run(later);
    // Steps [0, 200) carry the dc: bitwise the I_e trajectory; afterwards it differs.
    for (std::size_t k = 0; k < 200; ++k) ASSERT_EQ(a[k], b[k]) << model << " step " << k;
    EXPECT_NE(a[210], b[210]) << model;
    // A window from 10 ms: the plain trajectory before it, a different one from step 100.
    for (std::size_t k = 0; k < 100; ++k) ASSERT_EQ(d[k], c[k]) << model << " step " << k;
    EXPECT_NE(d[100], c[100]) << model;
    if (model == "lif") {
      // From rest, V relaxes towards E_L + R I = -62 mV in the window, back to E_L after it.
      for (int k = 0; k < 200; ++k)
        EXPECT_NEAR(d[static_cast<std::size_t>(100 + k)],
                    -62.0 + (-70.0 + 62.0) * std::exp(-(k + 1) * 0.1 / 10.0), 1e-12);
      EXPECT_NEAR(d[399], -70.0 + (d[299] + 70.0) * std::exp(-10.0 / 10.0), 1e-12);
    }
  }
}

}  // namespace
}  // namespace myelin
