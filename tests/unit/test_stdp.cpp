// STDP: the pair window through the real queue/history path, for every weight dependence and
// both pairings, with axonal and dendritic delays; bounds; pairing differences on bursts.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "config/config_parser.hpp"
#include "myelin/errors.hpp"
#include "plasticity/thread_plasticity.hpp"

namespace myelin {
namespace {

constexpr double dt = 0.1;

struct Protocol {
  StdpParams params;
  Step delay = 20;     // [steps] total
  Step dendritic = 0;  // [steps]
  double w0 = 0.5;
};

// One synapse gid 0 -> gid 1. `pre` and `post` are spike steps. Mimics the simulation loop with
// one-step epochs: process the landing synapses, advance (record post spikes), deliver.
double run_protocol(const Protocol& p, const std::vector<Step>& pre, const std::vector<Step>& post,
                    Step until) {
  ThreadPlasticSynapses syn;
  syn.row_begin = {0, 1, 1};
  syn.synapse = {{0, static_cast<std::uint16_t>(p.delay), 0}};
  syn.weight = {p.w0};
  syn.column = {0};
  syn.post_of = {0};
  syn.post_gid = {1};
  syn.incoming = {1};
  const std::vector<StdpKernel> kernels = {StdpKernel::from(p.params, dt, p.dendritic)};
  SourceIndex sources(2);
  sources.mark(0);
  sources.mark(1);
  sources.finalise();
  ThreadPlasticity plastic(syn, sources, kernels, 256);
  std::vector<double> input(1, 0.0);
  for (Step step = 0; step <= until; ++step) {
    plastic.process_step(step, input);
    for (const Step s : post)
      if (s == step) {
        const Spike spike{step, 1};
        plastic.record_post({&spike, 1});
      }
    for (const Step s : pre)
      if (s == step) {
        const Spike spike{step, 0};
        plastic.enqueue({&spike, 1});
      }
  }
  return plastic.weight(0);
}

double f_plus(const StdpParams& p, double w) {
  return p.rule == StdpRule::multiplicative ? p.w_max - w : 1.0;
}
double f_minus(const StdpParams& p, double w) {
  return p.rule == StdpRule::multiplicative ? w - p.w_min : 1.0;
}

StdpParams params(StdpRule rule, StdpPairing pairing) {
  StdpParams p;
  p.rule = rule;
  p.pairing = pairing;
  p.A_plus = 0.01;
  p.A_minus = 0.012;
  p.tau_plus = 16.8;
  p.tau_minus = 33.7;
  p.w_min = 0.0;
  p.w_max = 1.0;
  return p;
}

// The pair window Δw(Δt), Δt = arrival of the post spike at the synapse minus arrival of the
// pre spike, from -100 to +100 ms. Potentiation shows once a later pre spike is processed
// (lazy updates), so a probe pre spike follows 2 s later; its own depression, e^(-2000/33.7)
// relative, is far below the tolerance.
TEST(Stdp, PairWindowMatchesTheClosedForm) {
  for (const auto rule : {StdpRule::additive, StdpRule::multiplicative})
    for (const auto pairing : {StdpPairing::all_to_all, StdpPairing::nearest})
      for (const auto& [delay, dendritic] :
           {std::pair<Step, Step>{20, 0}, {20, 20}, {30, 10}, {1, 0}}) {
        Protocol p{params(rule, pairing), delay, dendritic, 0.5};
        const Step pre = 2000;
        const Step arrival = pre + delay - dendritic;
        for (Step lag = -1000; lag <= 1000; lag += (lag > -5 && lag < 5) ? 1 : 50) {
          const Step post = arrival + lag - dendritic;
          const Step probe = pre + 20000;
          const double w = run_protocol(p, {pre, probe}, {post}, probe + delay);
          const double t = static_cast<double>(lag) * dt;
          const double expected =
              lag >= 0 ? p.w0 + p.params.A_plus * f_plus(p.params, p.w0) * std::exp(-t / 16.8)
                       : p.w0 - p.params.A_minus * f_minus(p.params, p.w0) * std::exp(t / 33.7);
          EXPECT_NEAR(w, expected, 1e-12)
              << "rule " << static_cast<int>(rule) << " pairing " << static_cast<int>(pairing)
              << " delay " << delay << " dendritic " << dendritic << " lag " << lag;
        }
      }
}

TEST(Stdp, AllToAllSumsTracesNearestTakesTheLastSpike) {
  for (const auto pairing : {StdpPairing::all_to_all, StdpPairing::nearest}) {
    const bool all = pairing == StdpPairing::all_to_all;
    Protocol p{params(StdpRule::additive, pairing), 10, 0, 0.5};
    // Two pre spikes 5 ms apart, then a post 5 ms after the second: potentiation pairs the post
    // with both (all-to-all) or with the nearest pre only.
    double w = run_protocol(p, {1000, 1050, 30000}, {1060 + 50}, 30100);
    double x = std::exp(-5.0 / 16.8) + (all ? std::exp(-10.0 / 16.8) : 0.0);
    EXPECT_NEAR(w, 0.5 + 0.01 * x, 1e-12);
    // Two post spikes, then a pre arriving 5 ms after the second: depression.
    w = run_protocol(p, {1100 - 10}, {1000, 1050}, 1200);
    const double y = std::exp(-5.0 / 33.7) + (all ? std::exp(-10.0 / 33.7) : 0.0);
    EXPECT_NEAR(w, 0.5 - 0.012 * y, 1e-12);
  }
}

// Several synapses onto one target share its spike history and the postsynaptic traces kept
// there (one per kernel), and the history forgets spikes only once every synapse has read them.
// STDP synapses are independent: each must end exactly (bitwise) where it ends alone.
TEST(Stdp, SynapsesSharingATargetEndAsEachAlone) {
  const StdpParams additive = params(StdpRule::additive, StdpPairing::all_to_all);
  StdpParams nearest = params(StdpRule::multiplicative, StdpPairing::nearest);
  nearest.tau_minus = 21.0;  // a second kernel: its own postsynaptic trace
  const std::vector<Protocol> alone = {
      {additive, 20, 0, 0.5}, {additive, 35, 10, 0.4}, {nearest, 12, 5, 0.6}};
  // Irregular trains: source s fires every 37 + 11 s steps, the target every 23 steps.
  std::vector<std::vector<Step>> pre(alone.size());
  for (std::size_t s = 0; s < alone.size(); ++s)
    for (Step t = 100 + 7 * static_cast<Step>(s); t < 6000; t += 37 + 11 * static_cast<Step>(s))
      pre[s].push_back(t);
  std::vector<Step> post;
  for (Step t = 130; t < 6000; t += 23) post.push_back(t);
  const Step until = 6100;

  ThreadPlasticSynapses syn;
  const auto n = static_cast<std::uint32_t>(alone.size());
  for (std::uint32_t s = 0; s <= n; ++s) syn.row_begin.push_back(s);  // sources 0..n-1, target n
  syn.row_begin.push_back(n);
  std::vector<StdpKernel> kernels;
  for (std::uint32_t s = 0; s < n; ++s) {
    kernels.push_back(StdpKernel::from(alone[s].params, dt, alone[s].dendritic));
    syn.synapse.push_back(
        {0, static_cast<std::uint16_t>(alone[s].delay), static_cast<std::uint8_t>(s)});
    syn.weight.push_back(alone[s].w0);
    syn.column.push_back(s);
  }
  syn.post_of = {0};
  syn.post_gid = {n};
  syn.incoming = {n};
  SourceIndex sources(n + 1);
  for (std::uint32_t g = 0; g <= n; ++g) sources.mark(g);
  sources.finalise();
  ThreadPlasticity plastic(syn, sources, kernels, 256);
  std::vector<double> input(1, 0.0);
  std::size_t longest_history = 0;
  for (Step step = 0; step <= until; ++step) {
    plastic.process_step(step, input);
    if (std::find(post.begin(), post.end(), step) != post.end()) {
      const Spike spike{step, n};
      plastic.record_post({&spike, 1});
    }
    std::vector<Spike> spikes;
    for (std::uint32_t s = 0; s < n; ++s)
      if (std::find(pre[s].begin(), pre[s].end(), step) != pre[s].end())
        spikes.push_back({step, s});
    plastic.enqueue(spikes);
    longest_history = std::max(longest_history, plastic.histories()[0].size());
  }
  for (std::uint32_t s = 0; s < n; ++s) {
    // The one-synapse protocol with this synapse's own kernel as kernel 0.
    const double w_alone = run_protocol(alone[s], pre[s], post, until);
    EXPECT_EQ(plastic.weight(s), w_alone) << "synapse " << s;
    EXPECT_NE(plastic.weight(s), alone[s].w0) << "synapse " << s << " never changed";
  }
  // The history stays short: spikes every synapse has read are forgotten.
  EXPECT_LT(longest_history, 20U);
}

// Source 0 onto two targets, `second` the gid of the one that spikes. Adjacent gids take the
// gid-indexed table of targets, scattered ones the binary search: the same weights either way.
std::vector<double> two_targets(Gid second) {
  ThreadPlasticSynapses syn;
  syn.row_begin = {0, 2};
  syn.synapse = {{0, 20, 0}, {1, 20, 0}};
  syn.weight = {0.5, 0.5};
  syn.column = {0, 1};
  syn.post_of = {0, 1};
  syn.post_gid = {1, second};
  syn.incoming = {1, 1};
  const std::vector<StdpKernel> kernels = {
      StdpKernel::from(params(StdpRule::additive, StdpPairing::all_to_all), dt, 0)};
  SourceIndex sources(1);
  sources.mark(0);
  sources.finalise();
  ThreadPlasticity plastic(syn, sources, kernels, 256);
  std::vector<double> input(2, 0.0);
  for (Step step = 0; step <= 2000; ++step) {
    plastic.process_step(step, input);
    if (step % 300 == 150) {
      const Spike spike{step, second};
      plastic.record_post({&spike, 1});
    }
    if (step % 200 == 0) {
      const Spike spike{step, 0};
      plastic.enqueue({&spike, 1});
    }
  }
  return {plastic.weight(0), plastic.weight(1)};
}

TEST(Stdp, TargetsWithScatteredGidsFindTheirHistories) {
  const std::vector<double> adjacent = two_targets(2);
  const std::vector<double> scattered = two_targets(50'000'000);
  EXPECT_EQ(adjacent[0], 0.5);  // its target never spikes
  EXPECT_NE(adjacent[1], 0.5);
  EXPECT_EQ(scattered, adjacent);
}

TEST(Stdp, HardBoundsClipSoftBoundsApproach) {
  Protocol p{params(StdpRule::additive, StdpPairing::all_to_all), 10, 0, 0.95};
  p.params.A_plus = 0.2;
  std::vector<Step> pre, post;
  for (Step k = 0; k < 20; ++k) {
    pre.push_back(1000 + 300 * k);
    post.push_back(1000 + 300 * k + 10 + 20);  // 2 ms after each arrival
  }
  // A probe pre spike 2 s later applies the last potentiation (its own depression underflows).
  std::vector<Step> probed = pre;
  probed.push_back(30000);
  EXPECT_EQ(run_protocol(p, probed, post, 30100), 1.0);  // clipped at w_max exactly
  p.params.A_minus = 0.5;
  p.params.A_plus = 0.0;
  p.w0 = 0.05;
  std::vector<Step> late(post.size());
  for (std::size_t i = 0; i < post.size(); ++i) late[i] = pre[i] - 30;  // post before pre
  EXPECT_EQ(run_protocol(p, pre, late, 8000), 0.0);                     // clipped at w_min exactly
  p = Protocol{params(StdpRule::multiplicative, StdpPairing::all_to_all), 10, 0, 0.5};
  p.params.A_plus = 0.3;
  const double w = run_protocol(p, pre, post, 8000);
  EXPECT_GT(w, 0.9);
  EXPECT_LT(w, 1.0);  // soft bound: approaches w_max, never reaches it
}

}  // namespace
}  // namespace myelin

namespace myelin {
namespace {

StdpParams power_law(StdpPairing pairing, double lambda, double alpha, double mu) {
  StdpParams p;
  p.rule = StdpRule::power_law;
  p.pairing = pairing;
  p.lambda = lambda;
  p.alpha = alpha;
  p.mu = mu;
  p.tau_plus = 15.0;
  p.tau_minus = 30.0;
  p.w_min = 0.0;
  p.w_max = 1000.0;
  return p;
}

// NEST stdp_pl_synapse_hom (Morrison et al. 2007): a single pair changes w0 by
// lambda w0^mu e^(-dt/tau+) (pre before post) or -lambda alpha w0 e^(dt/tau-) (post before pre).
// Weights in pA, as in the hpc_benchmark (w0 = 45.61 pA, lambda 0.1, alpha 0.0513, mu 0.4).
TEST(StdpPowerLaw, PairWindowMatchesTheClosedForm) {
  for (const auto pairing : {StdpPairing::all_to_all, StdpPairing::nearest})
    for (const auto& [delay, dendritic] : {std::pair<Step, Step>{15, 0}, {20, 20}, {30, 10}}) {
      Protocol p{power_law(pairing, 0.1, 0.0513, 0.4), delay, dendritic, 45.61};
      const Step pre = 2000;
      const Step arrival = pre + delay - dendritic;
      for (Step lag = -1000; lag <= 1000; lag += (lag > -5 && lag < 5) ? 1 : 50) {
        const Step post = arrival + lag - dendritic;
        const Step probe = pre + 20000;
        const double w = run_protocol(p, {pre, probe}, {post}, probe + delay);
        const double t = static_cast<double>(lag) * dt;
        const double expected = lag >= 0 ? 45.61 + 0.1 * std::pow(45.61, 0.4) * std::exp(-t / 15.0)
                                         : 45.61 - 0.1 * 0.0513 * 45.61 * std::exp(t / 30.0);
        EXPECT_NEAR(w, expected, 1e-12 * 45.61)
            << "pairing " << static_cast<int>(pairing) << " delay " << delay << " dendritic "
            << dendritic << " lag " << lag;
      }
    }
}

TEST(StdpPowerLaw, SuccessiveUpdatesUseTheCurrentWeightAndDepressionStopsAtZero) {
  // Two post spikes 4 ms and 9 ms after one pre arrival: facilitation twice, each with the
  // weight the previous one left (w^mu is not additive).
  Protocol p{power_law(StdpPairing::all_to_all, 0.5, 1.0, 0.4), 10, 0, 2.0};
  const double w = run_protocol(p, {1000, 30000}, {1000 + 10 + 40, 1000 + 10 + 90}, 30100);
  double expected = 2.0 + 0.5 * std::pow(2.0, 0.4) * std::exp(-4.0 / 15.0);
  expected += 0.5 * std::pow(expected, 0.4) * std::exp(-9.0 / 15.0);
  EXPECT_NEAR(w, expected, 1e-12);
  // Depression is multiplicative (w (1 - lambda alpha y)): with lambda alpha y > 1 it would go
  // negative; NEST floors it at 0, and so does w_min = 0.
  Protocol q{power_law(StdpPairing::all_to_all, 1.0, 5.0, 0.4), 10, 0, 2.0};
  EXPECT_EQ(run_protocol(q, {1100}, {1000}, 1200), 0.0);
  // A zero weight stays zero under facilitation (0^mu = 0), as in NEST.
  q.w0 = 0.0;
  EXPECT_EQ(run_protocol(q, {1000, 30000}, {1050}, 30100), 0.0);
}

}  // namespace
}  // namespace myelin

namespace myelin {
namespace {

const char* power_law_config = R"(
[population.a]
model = "lif"
size = 10
[projection.aa]
source = "a"
target = "a"
rule = "fixed_probability"
p = 0.5
synapse = "exp_current"
tau_syn = 2.0
weight = 45.61
delay = 1.5
plasticity = { rule = "power_law", lambda = 0.1, alpha = 0.0513, mu = 0.4, tau_plus = 15.0, tau_minus = 30.0, w_max = 1000.0 }
)";

std::string power_law_error(const std::string& set) {
  try {
    parse_config(power_law_config, {set});
  } catch (const InputError& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(StdpPowerLaw, ConfigReadsAndRejectsMisplacedKeys) {
  const Config c = parse_config(power_law_config, {});
  const StdpParams& s = *c.projections[0].plasticity;
  EXPECT_EQ(s.rule, StdpRule::power_law);
  EXPECT_EQ(s.lambda, 0.1);
  EXPECT_EQ(s.alpha, 0.0513);
  EXPECT_EQ(s.mu, 0.4);
  const StdpKernel k = StdpKernel::from(s, 0.1, 0);
  EXPECT_EQ(k.A_plus, 0.1);
  EXPECT_DOUBLE_EQ(k.A_minus, 0.1 * 0.0513);
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"projection.aa.plasticity.A_plus=0.01",
       "projection.aa.plasticity.A_plus = 0.01: not used by rule \"power_law\""},
      {"projection.aa.plasticity.mu=1.5", "projection.aa.plasticity.mu = 1.5: must be <= 1"},
      {"projection.aa.plasticity.lambda=-1", "projection.aa.plasticity.lambda = -1: must be >= 0"},
      {"projection.aa.plasticity.w_min=-5", "power_law weights are >= 0"},
      {"projection.aa.plasticity.rule=\"additive\"",
       "projection.aa.plasticity.lambda = 0.1: not used by rule \"additive\""},
      {"projection.aa.plasticity.rule=\"powerlaw\"", "known: additive, multiplicative, power_law"},
  };
  for (const auto& [set, expected] : cases)
    EXPECT_NE(power_law_error(set).find(expected), std::string::npos)
        << set << " -> " << power_law_error(set);
}

}  // namespace
}  // namespace myelin
