#pragma once

// Pair-based STDP of one synapse, processed lazily when a presynaptic spike arrives (NEST's
// scheme): the postsynaptic spikes that reached the synapse since the previous presynaptic
// spike potentiate (each paired with the presynaptic trace at its time), then the arriving
// spike depresses (paired with the postsynaptic trace). Times are integer steps at the
// synapse: a presynaptic spike of step s arrives at s + (delay - dendritic), a postsynaptic
// spike of step s at s + dendritic. A postsynaptic spike at the arrival step itself counts as
// "pre before post" (Δt = 0, potentiation), as in NEST. Pure and branch-light; no MPI/OpenMP.

#include <algorithm>
#include <cmath>
#include <limits>

#include "config/config.hpp"
#include "myelin/types.hpp"

namespace myelin {

inline constexpr Step never = std::numeric_limits<Step>::min() / 4;

// Weight dependence: additive (hard bounds), multiplicative (soft bounds), or the power law of
// NEST's stdp_pl_synapse_hom (Morrison et al. 2007): dw+ = lambda w^mu x, dw- = -lambda alpha w y.
struct StdpKernel {
  StdpRule rule = StdpRule::additive;
  bool all_to_all = true;
  double A_plus = 0.0;          // power_law: lambda
  double A_minus = 0.0;         // power_law: lambda alpha
  double mu = 0.0;              // power_law exponent
  double plus_per_step = 0.0;   // dt / tau_plus
  double minus_per_step = 0.0;  // dt / tau_minus
  double w_min = 0.0;
  double w_max = 1.0;
  Step dendritic = 0;  // [steps]

  static StdpKernel from(const StdpParams& p, double dt, Step dendritic_steps) {
    const bool power = p.rule == StdpRule::power_law;
    return {p.rule,
            p.pairing == StdpPairing::all_to_all,
            power ? p.lambda : p.A_plus,
            power ? p.lambda * p.alpha : p.A_minus,
            power ? p.mu : 0.0,
            dt / p.tau_plus,
            dt / p.tau_minus,
            p.w_min,
            p.w_max,
            dendritic_steps};
  }

  double potentiate(double w, double x) const {
    const double f = rule == StdpRule::additive         ? 1.0
                     : rule == StdpRule::multiplicative ? w_max - w
                                                        : std::pow(w, mu);
    return std::clamp(w + A_plus * f * x, w_min, w_max);
  }
  double depress(double w, double y) const {
    const double f = rule == StdpRule::additive         ? 1.0
                     : rule == StdpRule::multiplicative ? w - w_min
                                                        : w;
    return std::clamp(w - A_minus * f * y, w_min, w_max);
  }
};

// What one synapse remembers between its presynaptic spikes.
struct StdpState {
  double weight = 0.0;
  double x = 0.0;               // presynaptic trace just after the last arrival
  Step last_arrival = never;    // of the last presynaptic spike, at the synapse
  double y = 0.0;               // postsynaptic trace just after the last postsynaptic arrival
  Step last_post = never;       // arrival of the last postsynaptic spike consumed
  std::uint64_t next_post = 0;  // sequence number of the first unconsumed postsynaptic spike
};

// A trace `value` set at step `from`, decayed to step `to`.
inline double decayed(double value, Step from, Step to, double per_step) {
  return value * std::exp(-static_cast<double>(to - from) * per_step);
}

// A trace just after a spike at `now`: +1 on what is left of it (all-to-all), or reset to 1
// (nearest).
inline double after_spike(const StdpKernel& k, double value, Step last, Step now, double per_step) {
  return (k.all_to_all && last != never ? decayed(value, last, now, per_step) : 0.0) + 1.0;
}

// One postsynaptic spike reaching the synapse at `arrival` (< the next presynaptic arrival).
inline void stdp_post(const StdpKernel& k, StdpState& s, Step arrival) {
  if (s.last_arrival != never)
    s.weight = k.potentiate(s.weight, decayed(s.x, s.last_arrival, arrival, k.plus_per_step));
  s.y = after_spike(k, s.y, s.last_post, arrival, k.minus_per_step);
  s.last_post = arrival;
}

// The presynaptic spike arriving at `arrival`, after every earlier postsynaptic arrival went
// through stdp_post. Returns the weight it transmits.
inline double stdp_pre(const StdpKernel& k, StdpState& s, Step arrival) {
  if (s.last_post != never)
    s.weight = k.depress(s.weight, decayed(s.y, s.last_post, arrival, k.minus_per_step));
  s.x = after_spike(k, s.x, s.last_arrival, arrival, k.plus_per_step);
  s.last_arrival = arrival;
  return s.weight;
}

}  // namespace myelin
