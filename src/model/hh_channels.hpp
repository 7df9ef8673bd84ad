#pragma once

// Rate functions [1/ms] of the Hodgkin-Huxley family, at membrane potential V [mV]. The
// x / (exp(x / y) - 1) terms have a removable singularity at x = 0 (V = -40 and -55 mV for the
// squid axon); vtrap evaluates them with expm1 and its series there, never 0 / 0.

#include <cmath>

namespace myelin {

// x / (exp(x / y) - 1), exact to rounding at and near x = 0 (limit y (1 - x / 2y)).
inline double vtrap(double x, double y) {
  const double r = x / y;
  if (std::abs(r) < 1e-6) return y * (1.0 - 0.5 * r);
  return x / std::expm1(r);
}

// Which rate functions a population uses, for the vector kernel (model/hh_kernel.hpp).
enum class RateSet { squid_axon, traub_miles };

struct GateRates {
  double alpha_m, beta_m, alpha_h, beta_h, alpha_n, beta_n;
};

// Classic squid giant axon (Hodgkin & Huxley 1952, modern sign convention, rest -65 mV).
struct SquidAxonRates {
  static constexpr RateSet set = RateSet::squid_axon;
  static GateRates rates(double v, double /*v_t*/) {
    return {0.1 * vtrap(-(v + 40.0), 10.0),      4.0 * std::exp(-(v + 65.0) / 18.0),
            0.07 * std::exp(-(v + 65.0) / 20.0), 1.0 / (std::exp(-(v + 35.0) / 10.0) + 1.0),
            0.01 * vtrap(-(v + 55.0), 10.0),     0.125 * std::exp(-(v + 65.0) / 80.0)};
  }
};

// Traub & Miles (1991) as in the COBAHH benchmark (Brette et al. 2007), shifted by V_T.
struct TraubMilesRates {
  static constexpr RateSet set = RateSet::traub_miles;
  static GateRates rates(double v, double v_t) {
    const double u = v - v_t;
    return {0.32 * vtrap(13.0 - u, 4.0),         0.28 * vtrap(u - 40.0, 5.0),
            0.128 * std::exp((17.0 - u) / 18.0), 4.0 / (1.0 + std::exp((40.0 - u) / 5.0)),
            0.032 * vtrap(15.0 - u, 5.0),        0.5 * std::exp((10.0 - u) / 40.0)};
  }
};

}  // namespace myelin
