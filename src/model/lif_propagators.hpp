#pragma once

// The exact propagators of a LIF membrane driven by current ports (exp and alpha), shared by the
// population's step constants (model/lif.cpp) and its sub-step trajectory (model/lif_crossing.cpp).
// Pure functions; no MPI/OpenMP.

#include <cmath>

namespace myelin {

// Response of V [mV] at time h to a unit current [pA] in a port with time constant tau_s that
// decays from t = 0, for a membrane with tau_m and C_m (NEST's propagator P21, in a form that
// stays exact when tau_s == tau_m instead of dividing 0 by 0).
// `decay` is exp(-h / tau_m), which the callers share between ports.
inline double current_propagator(double h, double decay, double tau_m, double tau_s, double c_m) {
  const double a = 1.0 / tau_s - 1.0 / tau_m;
  if (std::abs(a * h) < 1e-14) return h * decay / c_m;
  return -decay * std::expm1(-a * h) / (a * c_m);
}

// d/dh of current_propagator: E (X / (a tau_m) + 1 + X) / C with X = expm1(-a h), or
// E (1 - h / tau_m) / C as a h -> 0.
inline double current_propagator_slope(double h, double decay, double tau_m, double tau_s,
                                       double c_m) {
  const double a = 1.0 / tau_s - 1.0 / tau_m;
  if (std::abs(a * h) < 1e-14) return decay * (1.0 - h / tau_m) / c_m;
  const double x = std::expm1(-a * h);
  return decay * (x / (a * tau_m) + 1.0 + x) / c_m;
}

// (1 - e^(-x) (1 + x)) / x^2, also near x = 0 where the direct form cancels: the series
// sum_n (-1)^n (n + 1) x^n / (n + 2)! (|x| < 0.5: 25 terms reach the rounding error).
inline double alpha_shape(double x) {
  if (std::abs(x) >= 0.5) return (-std::expm1(-x) - x * std::exp(-x)) / (x * x);
  double term = 0.5, sum = 0.5;  // n = 0: 1 / 2!
  for (int n = 1; n < 25; ++n) {
    term *= -x / static_cast<double>(n + 2);  // x^n / (n + 2)!, sign alternating
    sum += term * static_cast<double>(n + 1);
  }
  return sum;
}

// Response of V [mV] at time h to the rising variable y [pA/ms] of an alpha current port
// (dI/dt = y - I/tau_s, dy/dt = -y/tau_s, I(0) = 0): the third row of the propagator of
// Rotter & Diesmann (1999),
//   (1/C) int_0^h e^(-(h-s)/tau_m) s e^(-s/tau_s) ds = e^(-h/tau_m) h^2 alpha_shape(a h) / C,
// a = 1/tau_s - 1/tau_m; exact, including tau_s == tau_m (then h^2 e^(-h/tau_m) / (2 C)).
inline double rising_propagator(double h, double decay, double tau_m, double tau_s, double c_m) {
  const double a = 1.0 / tau_s - 1.0 / tau_m;
  return decay * h * h * alpha_shape(a * h) / c_m;
}

}  // namespace myelin
