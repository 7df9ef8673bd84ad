#pragma once

// Poisson-distributed counts from counter-based random numbers: the count of one input, neuron
// and step is a pure function of (seed, input, gid, step), so it does not depend on ranks,
// threads or the order of the draws.
//
// Counter of every Philox block: (Stream::poisson | attempt << 8 | step_hi << 16, gid, step_lo,
// input hash), steps below 2^48. Small means (lambda < 10) invert the distribution function
// with one uniform; larger ones use Hoermann's transformed rejection with squeeze (PTRS, 1993),
// one block of two uniforms per attempt.

#include <array>
#include <cmath>
#include <cstdint>
#include <numbers>

#include "core/random.hpp"
#include "myelin/types.hpp"

namespace myelin {

// ln(k!) without std::lgamma (glibc's writes the global signgam: a data race under OpenMP):
// exact sums below 64, Stirling's series above (error below 1e-16 there).
inline double log_factorial(std::uint64_t k) {
  static const std::array<double, 64> table = [] {
    std::array<double, 64> t{};
    for (std::size_t i = 1; i < t.size(); ++i) t[i] = t[i - 1] + std::log(static_cast<double>(i));
    return t;
  }();
  if (k < table.size()) return table[k];
  const double x = static_cast<double>(k) + 1.0;
  const double x2 = x * x;
  return (x - 0.5) * std::log(x) - x + 0.5 * std::log(2.0 * std::numbers::pi) +
         (1.0 / 12.0 - (1.0 / 360.0 - 1.0 / (1260.0 * x2)) / x2) / x;
}

inline rng::Words poisson_block(std::uint64_t seed, std::uint32_t input, std::uint32_t gid,
                                Step step, std::uint32_t attempt) {
  const auto u = static_cast<std::uint64_t>(step);
  const std::uint32_t word0 = static_cast<std::uint32_t>(rng::Stream::poisson) |
                              ((attempt & 0xffu) << 8) |
                              (static_cast<std::uint32_t>((u >> 32) & 0xffffu) << 16);
  return rng::philox(seed, static_cast<rng::Stream>(word0), gid, static_cast<std::uint32_t>(u),
                     input);
}

// Poisson(lambda) counts for (input, gid, step); the constants of one mean are computed once
// (an input's mean is the same for every neuron and step).
class PoissonSampler {
 public:
  explicit PoissonSampler(double lambda) : lambda_(lambda) {
    if (!(lambda > 0.0)) return;
    p0_ = std::exp(-lambda);
    loglam_ = std::log(lambda);
    b_ = 0.931 + 2.53 * std::sqrt(lambda);
    a_ = -0.059 + 0.02483 * b_;
    inv_alpha_ = 1.1239 + 1.1328 / (b_ - 3.4);
    v_r_ = 0.9277 - 3.6224 / (b_ - 2.0);
  }

  std::uint64_t operator()(std::uint64_t seed, std::uint32_t input, std::uint32_t gid,
                           Step step) const {
    if (!(lambda_ > 0.0)) return 0;
    if (lambda_ < 10.0) {
      // Inversion: the smallest k with F(k) >= u. The pmf is walked from 0, so the cost is
      // about lambda + 1 multiplications.
      const rng::Words w = poisson_block(seed, input, gid, step, 0);
      const double u = rng::uniform_open(w[0], w[1]);
      double p = p0_;
      double f = p;
      std::uint64_t k = 0;
      while (u > f && k < 1000) {
        ++k;
        p *= lambda_ / static_cast<double>(k);
        f += p;
      }
      return k;
    }
    // PTRS (Hoermann 1993, "The transformed rejection method for generating Poisson random
    // variables"), valid for lambda >= 10; acceptance per attempt is above 0.89.
    for (std::uint32_t attempt = 0; attempt < 256; ++attempt) {
      const rng::Words w = poisson_block(seed, input, gid, step, attempt);
      const double uu = rng::uniform_open(w[0], w[1]) - 0.5;
      const double v = rng::uniform_open(w[2], w[3]);
      const double us = 0.5 - std::abs(uu);
      const double kf = std::floor((2.0 * a_ / us + b_) * uu + lambda_ + 0.43);
      if (us >= 0.07 && v <= v_r_) return static_cast<std::uint64_t>(kf);
      if (kf < 0.0 || (us < 0.013 && v > us)) continue;
      const auto k = static_cast<std::uint64_t>(kf);
      if (std::log(v * inv_alpha_ / (a_ / (us * us) + b_)) <=
          -lambda_ + kf * loglam_ - log_factorial(k))
        return k;
    }
    // 256 rejections in a row have probability below 1e-240: unreachable in practice.
    return static_cast<std::uint64_t>(std::llround(lambda_));
  }

 private:
  double lambda_ = 0.0;
  double p0_ = 0.0;  // e^-lambda
  double loglam_ = 0.0, a_ = 0.0, b_ = 0.0, inv_alpha_ = 0.0, v_r_ = 0.0;
};

// A Poisson(lambda) count for (input, gid, step).
inline std::uint64_t poisson_count(double lambda, std::uint64_t seed, std::uint32_t input,
                                   std::uint32_t gid, Step step) {
  return PoissonSampler(lambda)(seed, input, gid, step);
}

}  // namespace myelin
