// The SIMD LIF kernel: the same bits for a neuron in a vector body, a tail or another range
// split; the noise keyed as rng::normal_pair and normally distributed; the Illinois crossing.

#include <gtest/gtest.h>
#include <hwy/targets.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <numbers>
#include <numeric>
#include <string>
#include <utility>
#include <vector>

#include "core/random.hpp"
#include "model/lif.hpp"
#include "model/lif_kernel.hpp"
#include "model/noise_kernel.hpp"

namespace myelin {
namespace {

PopulationSpec config(std::uint32_t size, bool noise, std::vector<DcWindow> dc = {},
                      bool uniform = false) {
  PopulationSpec pop;
  pop.name = "k";
  pop.model = "lif";
  pop.size = size;
  for (const auto& info : lif_parameters())
    pop.params[std::string(info.name)] = ParamValue::constant(info.default_value);
  pop.params["t_ref"] = ParamValue::constant(0.73);  // ends inside a step
  pop.params["I_e"] = ParamValue::constant(300.0);   // V_inf = -58 mV
  pop.params["noise_sigma"] = ParamValue::constant(noise ? 4.0 : 0.0);
  pop.params["V_m"] = ParamValue{ParamValue::Kind::uniform, -70.0, -55.0};
  // Per-neuron constants differ (the kernel streams them) unless `uniform` (it broadcasts them).
  pop.params["tau_m"] =
      uniform ? ParamValue::constant(10.0) : ParamValue{ParamValue::Kind::uniform, 8.0, 12.0};
  pop.dc = std::move(dc);
  return pop;
}

std::vector<Gid> gids(std::uint32_t n) {
  std::vector<Gid> g(n);
  std::iota(g.begin(), g.end(), Gid{100});
  return g;
}

// Deterministic inputs of every port and neuron, large enough to make neurons fire.
std::vector<double> inputs(std::size_t ports, std::size_t n, Step step) {
  std::vector<double> in(ports * n);
  for (std::size_t k = 0; k < in.size(); ++k) {
    const auto w = rng::philox(7, rng::Stream::graph, static_cast<std::uint32_t>(k),
                               static_cast<std::uint32_t>(step), 0);
    in[k] = w[0] % 4 == 0 ? rng::uniform_open(w[1], w[2]) * 3.0 : 0.0;
  }
  return in;
}

struct Outcome {
  std::vector<Spike> spikes;
  std::vector<std::vector<std::uint64_t>> state_bits;
};

// `steps` steps with [0, n) cut at the given sizes (cycled, shifted every step).
// With `clear`, through update_and_clear, which must leave every input row zero.
Outcome run(const PopulationSpec& pop, const std::vector<PortSpec>& ports,
            const std::vector<std::size_t>& cuts, Step steps, bool clear = false) {
  const auto g = gids(pop.size);
  LifPopulation lif(pop, g, 100,
                    ModelContext{.dt = 0.1, .seed = 9, .v_bound = 1e4, .ports = ports});
  Outcome out;
  Health health;
  const std::size_t n = pop.size;
  const std::size_t n_ports = ports.empty() ? 1 : ports.size();
  for (Step s = 0; s < steps; ++s) {
    auto in = inputs(n_ports, n, s);
    for (std::size_t q = 0; q < ports.size(); ++q)  // [mV] for delta, [pA] for currents
      if (ports[q].kind != SynapseKind::delta)
        for (std::size_t i = 0; i < n; ++i)
          in[q * n + i] *= is_conductance(ports[q].kind) ? 10.0 : 150.0;  // [nS] or [pA]
    std::size_t b = 0, k = static_cast<std::size_t>(s);
    while (b < n) {
      const std::size_t e = cuts.empty() ? n : std::min(n, b + cuts[k++ % cuts.size()]);
      if (clear)
        lif.update_and_clear(b, e, s, in, out.spikes, health);
      else
        lif.update(b, e, s, in, out.spikes, health);
      b = e;
    }
    if (clear) {
      EXPECT_EQ(std::count(in.begin(), in.end(), 0.0), static_cast<std::ptrdiff_t>(in.size()))
          << "update_and_clear left input at step " << s;
    }
  }
  EXPECT_FALSE(health.failed);
  for (const StateArray& a : lif.state()) {
    std::vector<std::uint64_t> bits;
    for (const double x : a.real) bits.push_back(std::bit_cast<std::uint64_t>(x));
    out.state_bits.push_back(bits);
  }
  return out;
}

void expect_same(const Outcome& a, const Outcome& b) {
  ASSERT_EQ(a.spikes.size(), b.spikes.size());
  for (std::size_t k = 0; k < a.spikes.size(); ++k) {
    EXPECT_EQ(a.spikes[k].step, b.spikes[k].step);
    EXPECT_EQ(a.spikes[k].gid, b.spikes[k].gid);
    EXPECT_EQ(std::bit_cast<std::uint32_t>(a.spikes[k].offset),
              std::bit_cast<std::uint32_t>(b.spikes[k].offset));
  }
  EXPECT_EQ(a.state_bits, b.state_bits);
}

// Each SIMD target this machine runs (SSE4, AVX2, AVX-512 ...), as the dynamic dispatch would
// pick it on a machine that has no better one.
template <class F>
void for_each_target(F f) {
  for (const std::int64_t target : hwy::SupportedAndGeneratedTargets()) {
    hwy::SetSupportedTargetsForTest(target);
    SCOPED_TRACE(hwy::TargetName(target));
    f();
  }
  hwy::SetSupportedTargetsForTest(0);
}

const std::vector<std::vector<PortSpec>> port_sets = {
    {},  // one delta port
    {PortSpec{SynapseKind::exp_current, 5.0, 0.0}, PortSpec{SynapseKind::delta},
     PortSpec{SynapseKind::exp_current, 10.0, 0.0}},
    {PortSpec{SynapseKind::alpha_current, 2.0, 0.0}, PortSpec{SynapseKind::exp_current, 3.0, 0.0}},
    {PortSpec{SynapseKind::exp_conductance, 5.0, 0.0}, PortSpec{SynapseKind::delta},
     PortSpec{SynapseKind::alpha_conductance, 10.0, -80.0},
     PortSpec{SynapseKind::exp_current, 2.0, 0.0}},
};

TEST(LifKernel, SameBitsForEveryRangeSplit) {
  for_each_target([] {
    for (const std::uint32_t n : {1u, 7u, 8u, 9u, 17u, 33u, 130u}) {
      for (const auto& ports : port_sets) {
        for (const bool noise : {false, true}) {
          // Uniform constants (broadcast) and the in-kernel clearing on one size only (33:
          // full vectors and a tail on every target), so the test stays within the sanitizer
          // build's time limit.
          for (const bool uniform : {false, true}) {
            if (uniform && n != 33u) continue;
            SCOPED_TRACE(testing::Message() << "n " << n << " ports " << ports.size() << " noise "
                                            << noise << " uniform " << uniform);
            const auto pop = config(n, noise, {DcWindow{150.0, 40, 120}}, uniform);
            const Outcome whole = run(pop, ports, {}, 200);
            EXPECT_GT(whole.spikes.size(), 0u);
            expect_same(whole, run(pop, ports, {3, 5, 1, 11, 2}, 200));
            if (uniform) {
              expect_same(whole, run(pop, ports, {5, 3}, 200, true));
            } else {
              expect_same(whole, run(pop, ports, {1}, 200));  // every neuron alone: tails only
            }
          }
        }
      }
    }
  });
}

// The specialised kernels (exp_current ports only; constants broadcast) against the general
// one that streams every constant: the same V_m, refractory counters, port states and flagged
// neurons, bit for bit, for random states that include neurons above threshold, clamped and
// leaving the refractory period inside the step.
TEST(LifKernel, SpecialisedKernelsGiveTheGeneralKernelsBits) {
  for_each_target([] {
    constexpr std::size_t n = 45;
    const auto g = gids(n);
    for (const std::size_t n_exp : {0u, 1u, 2u}) {
      for (const bool with_delta : {false, true}) {
        for (const bool noise : {false, true}) {
          SCOPED_TRACE(testing::Message()
                       << "exp ports " << n_exp << " delta " << with_delta << " noise " << noise);
          std::vector<double> uniform_draws(8 * n);
          for (std::size_t k = 0; k < uniform_draws.size(); ++k) {
            const auto w = rng::philox(3, rng::Stream::graph, static_cast<std::uint32_t>(k), 1, 0);
            uniform_draws[k] = rng::uniform_open(w[0], w[1]);
          }
          const auto u = [&](std::size_t row, std::size_t i) { return uniform_draws[row * n + i]; };
          struct State {
            std::vector<double> v_m, refractory, spare;
            std::vector<std::vector<double>> ports;
            std::vector<std::vector<double>> input;  // [port][i], then the delta row
            lif_kernel::RareList rare;
            bool bad = false;
          };
          const auto initial = [&] {
            State s;
            for (std::size_t i = 0; i < n; ++i) {
              s.v_m.push_back(-70.0 + 20.0 * u(0, i));  // some above V_th = -55
              const double r = u(1, i);
              s.refractory.push_back(r < 0.5 ? 0.0 : r < 0.75 ? 4.0 * r - 2.0 : 3.0);
            }
            for (std::size_t k = 0; k < 3 * n; ++k) s.spare.push_back(u(2, k % n) - 0.5 + k / n);
            for (std::size_t c = 0; c < n_exp; ++c) {
              s.ports.emplace_back();
              for (std::size_t i = 0; i < n; ++i) s.ports[c].push_back(400.0 * (u(3 + c, i) - 0.5));
            }
            s.input.assign(3, std::vector<double>(n));
            for (std::size_t i = 0; i < n; ++i) {
              s.input[0][i] = 50.0 * u(5, i);
              s.input[1][i] = -70.0 * u(6, i);
              s.input[2][i] = u(7, i) < 0.2 ? 2.0 : 0.0;
            }
            return s;
          };
          const std::vector<double> v_inf(n, -58.0), dc_gain(n, 0.04), decay(n, 0.99),
              v_th(n, -55.0), v_reset(n, -70.0), noise_step(n, 0.8), step0(n, 3e-4), step1(n, 2e-4);
          const auto step = [&](State& s, bool uniform, bool general, bool clear) {
            std::vector<lif_kernel::CurrentPort> currents;
            std::vector<lif_kernel::AdvancePort> advance;
            const double* steps[] = {step0.data(), step1.data()};
            for (std::size_t c = 0; c < n_exp; ++c) {
              currents.push_back({s.ports[c].data(), nullptr, steps[c], nullptr});
              advance.push_back({s.ports[c].data(), nullptr, s.input[c].data(), 0.95, 0.1, 0.0});
            }
            std::vector<double*> delta;
            if (with_delta) delta.push_back(s.input[2].data());
            const lif_kernel::Args args{
                .v_m = s.v_m.data(),
                .refractory = s.refractory.data(),
                .spare_noise = s.spare.data(),
                .spare_stride = n,
                .v_inf = v_inf.data(),
                .dc_gain = dc_gain.data(),
                .decay = decay.data(),
                .v_th = v_th.data(),
                .v_reset = v_reset.data(),
                .noise_step = noise_step.data(),
                .gid = g.data(),
                .uniform = uniform,
                .general_only = general,
                .clear_input = clear,
                .dc = 25.0,
                .v_bound = 1e4,
                .noise = noise ? lif_kernel::Noise::fresh : lif_kernel::Noise::none,
                .seed = 5,
                .quad = 2,
                .delta = delta,
                .currents = currents,
                .means = {},
                .advance = advance,
                .g_l = nullptr,
                .c_m = nullptr,
                .dt = 0.1,
            };
            s.bad = lif_kernel::membrane_step(args, 0, n, s.rare);
          };
          const auto bits = [](const std::vector<double>& x) {
            std::vector<std::uint64_t> b;
            for (const double v : x) b.push_back(std::bit_cast<std::uint64_t>(v));
            return b;
          };
          State general = initial();
          step(general, false, true, false);
          ASSERT_GT(general.rare.size(), 3u);  // the flagged path is exercised
          ASSERT_LT(general.rare.size(), n - 3);
          for (const bool uniform : {false, true}) {
            for (const bool general_only : {false, true}) {
              for (const bool clear : {false, true}) {
                SCOPED_TRACE(testing::Message() << "uniform " << uniform << " general "
                                                << general_only << " clear " << clear);
                State s = initial();
                step(s, uniform, general_only, clear);
                // Cleared: every row used is zero but for the flagged neurons; else untouched.
                const State start = initial();
                std::size_t next = 0;
                for (std::size_t i = 0; i < n; ++i) {
                  const bool flagged = next < s.rare.size() && s.rare[next].index == i;
                  if (flagged) ++next;
                  for (std::size_t row = 0; row < 3; ++row) {
                    const bool used = row < n_exp || (row == 2 && with_delta);
                    const double expected = clear && used && !flagged ? 0.0 : start.input[row][i];
                    EXPECT_EQ(s.input[row][i], expected) << "neuron " << i << " row " << row;
                  }
                }
                EXPECT_EQ(bits(s.v_m), bits(general.v_m));
                EXPECT_EQ(bits(s.refractory), bits(general.refractory));
                EXPECT_EQ(bits(s.spare), bits(general.spare));
                for (std::size_t c = 0; c < n_exp; ++c)
                  EXPECT_EQ(bits(s.ports[c]), bits(general.ports[c]));
                ASSERT_EQ(s.rare.size(), general.rare.size());
                for (std::size_t k = 0; k < s.rare.size(); ++k) {
                  EXPECT_EQ(s.rare[k].index, general.rare[k].index);
                  EXPECT_EQ(std::bit_cast<std::uint64_t>(s.rare[k].xi),
                            std::bit_cast<std::uint64_t>(general.rare[k].xi));
                }
                EXPECT_EQ(s.bad, general.bad);
              }
            }
          }
          // The flagged neurons keep their start-of-step state; the others advanced.
          const State start = initial();
          std::size_t next_rare = 0;
          for (std::size_t i = 0; i < n; ++i) {
            const bool flagged =
                next_rare < general.rare.size() && general.rare[next_rare].index == i;
            if (flagged) ++next_rare;
            for (std::size_t c = 0; c < n_exp; ++c) {
              const double expected =
                  flagged ? start.ports[c][i] : start.ports[c][i] * 0.95 + start.input[c][i];
              EXPECT_EQ(general.ports[c][i], expected) << "neuron " << i << " port " << c;
            }
            if (flagged) {
              EXPECT_EQ(general.v_m[i], start.v_m[i]);
            }
          }
        }
      }
    }
  });
}

// Box-Muller in double with libm, from the same words: what the float transform approximates.
std::array<double, 4> libm_normals(std::uint64_t seed, Gid gid, std::uint64_t quad) {
  const rng::Words w = rng::philox(seed, rng::Stream::noise, gid, static_cast<std::uint32_t>(quad),
                                   static_cast<std::uint32_t>(quad >> 32));
  std::array<double, 4> out{};
  for (std::size_t pair = 0; pair < 2; ++pair) {
    const double u1 = ((w[2 * pair] >> 9) + 0.5) * 0x1p-23;
    const double u2 = ((w[2 * pair + 1] >> 9) + 0.5) * 0x1p-23;
    const double r = std::sqrt(-2.0 * std::log(u1));
    out[2 * pair] = r * std::cos(2.0 * std::numbers::pi * u2);
    out[2 * pair + 1] = r * std::sin(2.0 * std::numbers::pi * u2);
  }
  return out;
}

TEST(NoiseKernel, NormalsAreBoxMullerOfThePhiloxWordsSameBitsInEveryLane) {
  for_each_target([] {
    const auto g = gids(1037);
    for (const std::uint64_t quad : {std::uint64_t{0}, std::uint64_t{5}, std::uint64_t{1} << 33}) {
      std::array<std::vector<double>, 4> x;
      for (auto& v : x) v.resize(g.size());
      noise_kernel::normals(77, quad, g, {x[0].data(), x[1].data(), x[2].data(), x[3].data()});
      for (std::size_t i = 0; i < g.size(); ++i) {
        const auto ref = libm_normals(77, g[i], quad);
        for (std::size_t k = 0; k < 4; ++k) {
          // Float precision: r and the angle each within a few float ulp.
          EXPECT_NEAR(x[k][i], ref[k], 1e-6 * (1.0 + std::abs(ref[k]))) << "gid " << g[i];
          // One neuron alone takes the one-lane path, and step_normal: the very same bits.
          const auto step = static_cast<std::int64_t>(4 * quad + k);
          if (i % 13 == 0) {
            EXPECT_EQ(std::bit_cast<std::uint64_t>(noise_kernel::step_normal(77, g[i], step)),
                      std::bit_cast<std::uint64_t>(x[k][i]));
          }
        }
      }
    }
  });
}

TEST(NoiseKernel, TinyU1IsRefinedSoTheTailGoesOn) {
  // Find words whose top 23 bits are zero (one in 2^23): their u1 would stop the radius at 5.8.
  std::vector<std::pair<Gid, std::uint64_t>> tiny;
  for (Gid gid = 0; tiny.size() < 2; ++gid)
    for (std::uint64_t quad = 0; quad < 64; ++quad) {
      const rng::Words w =
          rng::philox(3, rng::Stream::noise, gid, static_cast<std::uint32_t>(quad), 0);
      if ((w[0] >> 9) == 0 || (w[2] >> 9) == 0) tiny.emplace_back(gid, quad);
    }
  for_each_target([&] {
    for (const auto& [gid, quad] : tiny) {
      // In a full vector among other neurons, and alone.
      std::vector<Gid> g(19);
      std::iota(g.begin(), g.end(), gid > 9 ? gid - 9 : 0);
      const std::size_t at = static_cast<std::size_t>(gid - g[0]);
      std::array<std::vector<double>, 4> x;
      for (auto& v : x) v.resize(g.size());
      noise_kernel::normals(3, quad, g, {x[0].data(), x[1].data(), x[2].data(), x[3].data()});
      const rng::Words w =
          rng::philox(3, rng::Stream::noise, gid, static_cast<std::uint32_t>(quad), 0);
      const std::size_t pair = (w[0] >> 9) == 0 ? 0 : 1;
      const double radius = std::hypot(x[2 * pair][at], x[2 * pair + 1][at]);
      // Refined: u1 in (0, 2^-23) continuously, not the fixed 2^-24 of the 23 bits (radius 5.769).
      EXPECT_GT(radius, std::sqrt(46.0 * std::numbers::ln2)) << "gid " << gid << " quad " << quad;
      EXPECT_GT(std::abs(radius - std::sqrt(48.0 * std::numbers::ln2)), 1e-4);
      EXPECT_LT(radius, 10.9);
      for (std::size_t k = 0; k < 4; ++k)
        EXPECT_EQ(std::bit_cast<std::uint64_t>(
                      noise_kernel::step_normal(3, gid, static_cast<std::int64_t>(4 * quad + k))),
                  std::bit_cast<std::uint64_t>(x[k][at]));
    }
  });
}

TEST(NoiseKernel, NormalsAreStandardNormal) {
  constexpr std::uint32_t n = 1 << 18;
  std::vector<Gid> g(n);
  std::iota(g.begin(), g.end(), Gid{0});
  std::array<std::vector<double>, 4> x;
  for (auto& v : x) v.resize(n);
  noise_kernel::normals(12345, 3, g, {x[0].data(), x[1].data(), x[2].data(), x[3].data()});
  double m1 = 0, m2 = 0, m3 = 0, m4 = 0, xy = 0, xz = 0;
  double beyond[3] = {0, 0, 0};
  const double at[3] = {2.0, 3.0, 4.0};
  // Chi-square over 36 bins of width 0.25 on [-4.5, 4.5] and the two outer ones.
  constexpr int bins = 38;
  std::vector<double> count(bins, 0.0);
  for (std::size_t k = 0; k < 4; ++k)
    for (std::size_t i = 0; i < n; ++i) {
      const double z = x[k][i];
      m1 += z;
      m2 += z * z;
      m3 += z * z * z;
      m4 += z * z * z * z;
      for (int t = 0; t < 3; ++t) beyond[t] += std::abs(z) > at[t] ? 1.0 : 0.0;
      const int b = z < -4.5   ? 0
                    : z >= 4.5 ? bins - 1
                               : std::min(bins - 2, 1 + static_cast<int>((z + 4.5) / 0.25));
      count[static_cast<std::size_t>(b)] += 1.0;
    }
  for (std::size_t i = 0; i < n; ++i) {
    xy += x[0][i] * x[1][i] + x[2][i] * x[3][i];  // the two normals of a pair
    xz += x[1][i] * x[2][i];                      // across the pairs of a block
  }
  const double m = 4.0 * n;
  // 5 standard errors: mean 1/sqrt(m), var sqrt(2/m), skew sqrt(15/m), kurtosis sqrt(96/m).
  EXPECT_NEAR(m1 / m, 0.0, 5.0 * std::sqrt(1.0 / m));
  EXPECT_NEAR(m2 / m, 1.0, 5.0 * std::sqrt(2.0 / m));
  EXPECT_NEAR(m3 / m, 0.0, 5.0 * std::sqrt(15.0 / m));
  EXPECT_NEAR(m4 / m, 3.0, 5.0 * std::sqrt(96.0 / m));
  EXPECT_NEAR(xy / (2.0 * n), 0.0, 5.0 * std::sqrt(1.0 / (2.0 * n)));
  EXPECT_NEAR(xz / n, 0.0, 5.0 * std::sqrt(1.0 / n));
  for (int t = 0; t < 3; ++t) {
    const double p = std::erfc(at[t] / std::sqrt(2.0));  // P(|z| > at)
    EXPECT_NEAR(beyond[t] / m, p, 5.0 * std::sqrt(p * (1 - p) / m)) << "|z| > " << at[t];
  }
  const auto cdf = [](double z) { return 0.5 * std::erfc(-z / std::sqrt(2.0)); };
  double chi2 = 0.0;
  for (int b = 0; b < bins; ++b) {
    const double lo = b == 0 ? -INFINITY : -4.5 + 0.25 * (b - 1);
    const double hi = b == bins - 1 ? INFINITY : -4.5 + 0.25 * b;
    const double expected = m * (cdf(hi) - cdf(lo));
    const double d = count[static_cast<std::size_t>(b)] - expected;
    chi2 += d * d / expected;
  }
  // 37 degrees of freedom: mean 37, sd 8.6; 90 is p < 1e-5.
  EXPECT_LT(chi2, 90.0);
}

// The crossing time of a neuron driven by an exp_current port against a fine bisection of the
// closed-form trajectory V(h) = V_inf + (V0 - V_inf) e^(-h/tau_m) + I0 P21(h).
// One undriven LIF neuron (E_L -70 mV, V_th -55 mV, t_ref 0.73 ms) starting at v0, dt 0.1 ms.
LifPopulation single_neuron(double tau_m, double c_m, double v0, std::vector<PortSpec> ports) {
  auto pop = config(1, false);
  pop.params["I_e"] = ParamValue::constant(0.0);
  pop.params["tau_m"] = ParamValue::constant(tau_m);
  pop.params["C_m"] = ParamValue::constant(c_m);
  pop.params["V_m"] = ParamValue::constant(v0);
  return LifPopulation(
      pop, gids(1), 100,
      ModelContext{.dt = 0.1, .seed = 1, .v_bound = 1e4, .ports = std::move(ports)});
}

TEST(LifKernel, CrossingFractionOfCurrentPortMatchesBisection) {
  const double dt = 0.1, tau_m = 10.0, c_m = 250.0, tau_s = 2.0, v0 = -55.3, i0 = 4000.0;
  LifPopulation lif =
      single_neuron(tau_m, c_m, v0, {PortSpec{SynapseKind::exp_current, tau_s, 0.0}});
  std::vector<Spike> spikes;
  Health health;
  lif.update(0, 1, 0, std::vector<double>{i0}, spikes, health);  // I0 arrives at the end of step 0
  lif.update(0, 1, 1, std::vector<double>{0.0}, spikes, health);
  ASSERT_EQ(spikes.size(), 1u);
  const double v_start = -70.0 + (v0 + 70.0) * std::exp(-dt / tau_m);
  const auto v = [&](double h) {
    const double a = 1.0 / tau_s - 1.0 / tau_m;
    return -70.0 + (v_start + 70.0) * std::exp(-h / tau_m) -
           i0 * std::exp(-h / tau_m) * std::expm1(-a * h) / (a * c_m);
  };
  double lo = 0.0, hi = dt;
  for (int it = 0; it < 200; ++it) (v(0.5 * (lo + hi)) > -55.0 ? hi : lo) = 0.5 * (lo + hi);
  EXPECT_EQ(spikes[0].step, 1);
  EXPECT_NEAR(spikes[0].offset, hi / dt, 1e-7);
  EXPECT_GT(spikes[0].offset, 0.0F);
  EXPECT_LT(spikes[0].offset, 1.0F);
  // The refractory period keeps the crossing in double precision: t_ref / dt - (1 - fraction).
  for (const StateArray& a : lif.state())
    if (a.name == "refractory") {
      EXPECT_NEAR(a.real[0], 7.3 - (1.0 - hi / dt), 1e-12);
    }
}

// Two exp_current ports, an excitatory and an inhibitory one, over a grid of states that cross
// early, late and grazing (the inhibition bends the trajectory): Newton from its cubic start
// must land on a fine bisection of the closed form every time, including tau_s == tau_m (the
// propagator's a -> 0 branch).
TEST(LifKernel, CrossingWithTwoExpPortsMatchesBisection) {
  const double dt = 0.1, tau_m = 20.0, c_m = 250.0, v_th = -55.0, e_l = -70.0;
  const auto propagator = [&](double h, double tau_s) {
    const double a = 1.0 / tau_s - 1.0 / tau_m;
    if (a == 0.0) return h * std::exp(-h / tau_m) / c_m;
    return -std::exp(-h / tau_m) * std::expm1(-a * h) / (a * c_m);
  };
  int crossings = 0;
  for (const auto& [tau_e, tau_i] : {std::pair{5.0, 10.0}, std::pair{20.0, 3.0}}) {
    for (const double v0 : {-56.0, -55.5, -55.05}) {
      for (const double i_e : {2000.0, 6000.0, 20000.0}) {
        for (const double i_i : {0.0, -1500.0, -5000.0}) {
          LifPopulation lif = single_neuron(tau_m, c_m, v0,
                                            {PortSpec{SynapseKind::exp_current, tau_e, 0.0},
                                             PortSpec{SynapseKind::exp_current, tau_i, 0.0}});
          std::vector<Spike> spikes;
          Health health;
          lif.update(0, 1, 0, std::vector<double>{i_e, i_i}, spikes, health);
          lif.update(0, 1, 1, std::vector<double>{0.0, 0.0}, spikes, health);
          const double v_start = e_l + (v0 - e_l) * std::exp(-dt / tau_m);
          const auto v = [&](double h) {
            return e_l + (v_start - e_l) * std::exp(-h / tau_m) + i_e * propagator(h, tau_e) +
                   i_i * propagator(h, tau_i);
          };
          const std::string where = "tau_s " + std::to_string(tau_e) + "/" + std::to_string(tau_i) +
                                    " V0 " + std::to_string(v0) + " I " + std::to_string(i_e) +
                                    "/" + std::to_string(i_i);
          if (!(v(dt) > v_th)) {
            EXPECT_TRUE(spikes.empty()) << where;
            continue;
          }
          ASSERT_EQ(spikes.size(), 1u) << where;
          ++crossings;
          double lo = 0.0, hi = dt;
          for (int it = 0; it < 200; ++it) (v(0.5 * (lo + hi)) > v_th ? hi : lo) = 0.5 * (lo + hi);
          EXPECT_EQ(spikes[0].step, 1) << where;
          for (const StateArray& a : lif.state())
            if (a.name == "refractory") {
              EXPECT_NEAR(a.real[0], 7.3 - (1.0 - hi / dt), 1e-11) << where;
            }
        }
      }
    }
  }
  EXPECT_GE(crossings, 20);
}

}  // namespace
}  // namespace myelin
