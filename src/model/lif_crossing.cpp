// The LIF membrane inside one step: its exact trajectory under the current ports and the time
// it first reaches V_th (the crossing), for the few neurons the vector kernel leaves to
// LifPopulation::finish. Pure arithmetic on the population's state; no MPI/OpenMP.

#include <algorithm>
#include <cmath>

#include "model/lif.hpp"
#include "model/lif_propagators.hpp"

namespace myelin {

namespace {

// The root of f in [lo, hi], where f(lo) < 0 < f(hi), by Newton from x with the slope that
// f_and_slope(h, slope) returns beside f(h), bisecting wherever a step would leave the
// bracket. Stops after a step of at most `converged` (returning its end) or once the bracket is
// at most `width`; `hi`, past the root, if neither happens in max_it evaluations.
template <class F>
double bracketed_newton(F f_and_slope, double lo, double hi, double x, double converged,
                        double width, int max_it) {
  if (!(x > lo && x < hi)) x = 0.5 * (lo + hi);
  for (int it = 0; it < max_it; ++it) {
    double slope = 0.0;
    const double f = f_and_slope(x, slope);
    if (f > 0.0) {
      hi = x;
    } else if (f < 0.0) {
      lo = x;
    } else {
      return x;
    }
    double next = x - f / slope;
    if (!(next > lo && next < hi)) next = 0.5 * (lo + hi);
    if (std::abs(next - x) <= converged || hi - lo <= width) return std::clamp(next, lo, hi);
    x = next;
  }
  return hi;
}

}  // namespace

double LifPopulation::current_response(std::size_t i, double offset, double h,
                                       double decay_m) const {
  double v = 0.0;
  for (const std::size_t q : current_ports_) {
    const double tau_s = ports_.specs()[q].tau_syn;
    const double y = ports_.rising(q, i);
    // The port's state `offset` ms into the step (exact: I(t) = (I + t y) e^(-t/tau_s)).
    const double decay = offset == 0.0 ? 1.0 : std::exp(-offset / tau_s);
    v += (ports_.value(q, i) + offset * y) * decay *
         current_propagator(h, decay_m, tau_m_[i], tau_s, c_m_[i]);
    if (y != 0.0) v += y * decay * rising_propagator(h, decay_m, tau_m_[i], tau_s, c_m_[i]);
  }
  return v;
}

// Fraction of the step at which the deterministic trajectory from v_old first reaches V_th,
// or 1 when it does not (then noise or an input jump caused the crossing: end of step).
double LifPopulation::crossing_fraction(std::size_t i, double v_old, double v_inf) const {
  const double v_th = v_th_[i];
  if (!(v_old < v_th)) return 1.0;
  if (current_ports_.empty()) {
    if (!(v_inf > v_th)) return 1.0;
    return std::min(1.0, tau_m_[i] * std::log((v_inf - v_old) / (v_inf - v_th)) / dt_);
  }
  const auto excess = [&](double h) {
    const double decay_m = std::exp(-h / tau_m_[i]);
    return v_inf + (v_old - v_inf) * decay_m + current_response(i, 0.0, h, decay_m) - v_th;
  };
  double f_hi;
  if (exp_ports_only_) {
    // excess(dt_) from the step's constants, by the same operations (so the same bits):
    // exp(-dt / tau_m) is decay_, each port's propagator over the step is current_step_.
    double syn = 0.0;
    for (std::size_t c = 0; c < current_ports_.size(); ++c)
      syn += ports_.value(current_ports_[c], i) * current_step_[c][i];
    f_hi = v_inf + (v_old - v_inf) * decay_[i] + syn - v_th;
  } else {
    f_hi = excess(dt_);
  }
  if (!(f_hi > 0.0)) return 1.0;
  double lo = 0.0, hi = dt_;
  double f_lo = v_old - v_th;
  const double width = dt_ * 0x1p-50;
  if (exp_ports_only_) return newton_crossing(i, v_old, v_inf, f_lo, f_hi) / dt_;
  // The sum of exponentials can rise and fall inside a step, so no closed form: Illinois
  // (regula falsi that halves the stale end's value) keeps the sign-change bracket of the
  // former bisection and reaches its width, dt 2^-50, in 6 evaluations typically (at most 12
  // over random sub-threshold states and inputs), not 51.
  int side = 0;  // which end moved last: -1 lo, +1 hi
  for (int it = 0; it < 200 && hi - lo > width; ++it) {
    double x = hi - f_hi * ((hi - lo) / (f_hi - f_lo));
    if (!(x > lo && x < hi)) x = 0.5 * (lo + hi);  // rounding stalled the secant
    const double f = excess(x);
    if (f > 0.0) {
      hi = x;
      f_hi = f;
      if (side == 1) f_lo *= 0.5;
      side = 1;
    } else if (f < 0.0) {
      lo = x;
      f_lo = f;
      if (side == -1) f_hi *= 0.5;
      side = -1;
    } else {
      return x / dt_;
    }
  }
  return hi / dt_;
}

// Newton's start for newton_crossing, as a fraction of the step: the root of the cubic
// through V - V_th and its slope at both ends of the step (all from per-neuron constants, no
// exponentials). Its error is of order (dt / tau)^4 of the step, often below Newton's
// tolerance: then one evaluation of the exact trajectory is the last (three from the secant).
double LifPopulation::hermite_start(std::size_t i, double v_old, double v_inf, double f0,
                                    double f1) const {
  const double tau_m = tau_m_[i], c_m = c_m_[i];
  double s0 = -(v_old - v_inf) / tau_m;
  double s1 = -(v_old - v_inf) * decay_[i] / tau_m;
  for (std::size_t c = 0; c < current_ports_.size(); ++c) {
    const double current = ports_.value(current_ports_[c], i);
    s0 += current / c_m;  // each propagator's slope at 0 is 1 / C_m
    s1 += current * current_slope_end_[c][i];
  }
  const double m0 = s0 * dt_, m1 = s1 * dt_;
  // p(t) = f0 (2t^3 - 3t^2 + 1) + m0 (t^3 - 2t^2 + t) + f1 (3t^2 - 2t^3) + m1 (t^3 - t^2)
  const double c3 = 2.0 * f0 + m0 - 2.0 * f1 + m1;
  const double c2 = -3.0 * f0 - 2.0 * m0 + 3.0 * f1 - m1;
  const double c1 = m0, c0 = f0;
  const auto cubic = [&](double t, double& slope) {
    slope = (3.0 * c3 * t + 2.0 * c2) * t + c1;
    return ((c3 * t + c2) * t + c1) * t + c0;
  };
  // p(0) = f0 < 0 < f1 = p(1); a start good to 2^-40 of the step is far more than enough.
  return bracketed_newton(cubic, 0.0, 1.0, -f0 / (f1 - f0), 0x1p-40, 0.0, 8);
}

// The crossing time [ms] inside (0, dt) when every current port is exp_current: Newton on the
// exact trajectory with its analytic slope, from hermite_start, inside the sign-change bracket
// (bisection where a step would leave it). Quadratic convergence reaches dt 2^-50 in 1.44
// evaluations per crossing in CUBA (about three from the secant, six with Illinois); each costs
// the same exponentials, which the slope shares.
//   V(h) = V_inf + (V0 - V_inf) E + sum_q I_q P_q(h),  E = e^(-h/tau_m),
//   P_q = -E X / (a C),  X = expm1(-a h),  a = 1/tau_s - 1/tau_m,
//   P_q' = E (X / (a tau_m) + 1 + X) / C   (h E / C and E (1 - h/tau_m) / C as a h -> 0).
double LifPopulation::newton_crossing(std::size_t i, double v_old, double v_inf, double f_lo,
                                      double f_hi) const {
  const double tau_m = tau_m_[i], c_m = c_m_[i], v_th = v_th_[i];
  const auto excess = [&](double h, double& slope) {
    const double decay_m = std::exp(-h / tau_m);
    double f = v_inf + (v_old - v_inf) * decay_m - v_th;
    slope = -(v_old - v_inf) * decay_m / tau_m;
    for (const std::size_t q : current_ports_) {
      const double a = 1.0 / ports_.specs()[q].tau_syn - 1.0 / tau_m;
      const double current = ports_.value(q, i);
      if (std::abs(a * h) < 1e-14) {
        f += current * (h * decay_m / c_m);
        slope += current * (decay_m * (1.0 - h / tau_m) / c_m);
      } else {
        const double x = std::expm1(-a * h);
        f += current * (-decay_m * x / (a * c_m));
        slope += current * (decay_m * (x / (a * tau_m) + 1.0 + x) / c_m);
      }
    }
    return f;
  };
  // A Newton step below dt 2^-26 leaves an error of order step^2 / tau, under dt 2^-50: that
  // step is the last. Waiting for the step itself to reach dt 2^-50 would never end, since
  // rounding in V (about 1e-14 mV) moves the root by more than that.
  return bracketed_newton(excess, 0.0, dt_, hermite_start(i, v_old, v_inf, f_lo, f_hi) * dt_,
                          dt_ * 0x1p-26, dt_ * 0x1p-50, 100);
}

}  // namespace myelin
