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
#include <cstdint>
#include <limits>
#include <vector>

#include "config/config.hpp"
#include "myelin/types.hpp"

namespace myelin {

inline constexpr Step never = std::numeric_limits<Step>::min() / 4;

// e^(-d per_step) for whole numbers of steps d: a table for the common short intervals, the
// same expression beyond it, so a factor has the same bits whichever path gives it.
class TraceDecay {
 public:
  static constexpr Step table_steps = 8192;  // 64 KiB: stays in L2 next to the synapses

  TraceDecay() = default;
  explicit TraceDecay(double per_step) : per_step_(per_step), table_(table_steps) {
    for (Step d = 0; d < table_steps; ++d) table_[static_cast<std::size_t>(d)] = exact(d);
  }
  double operator()(Step d) const {
    // Unsigned: a negative interval (none is expected) takes the exact path, not the table.
    return static_cast<std::uint64_t>(d) < table_steps ? table_[static_cast<std::size_t>(d)]
                                                       : exact(d);
  }
  double per_step() const { return per_step_; }

 private:
  double exact(Step d) const { return std::exp(-static_cast<double>(d) * per_step_); }
  double per_step_ = 0.0;
  std::vector<double> table_;
};

// Weight dependence: additive (hard bounds), multiplicative (soft bounds), or the power law of
// NEST's stdp_pl_synapse_hom (Morrison et al. 2007): dw+ = lambda w^mu x, dw- = -lambda alpha w y.
struct StdpKernel {
  StdpRule rule = StdpRule::additive;
  bool all_to_all = true;
  double A_plus = 0.0;   // power_law: lambda
  double A_minus = 0.0;  // power_law: lambda alpha
  double mu = 0.0;       // power_law exponent
  TraceDecay plus;       // per step: dt / tau_plus
  TraceDecay minus;      // per step: dt / tau_minus
  double w_min = 0.0;
  double w_max = 1.0;
  Step dendritic = 0;  // [steps]

  static StdpKernel from(const StdpParams& p, double dt, Step dendritic_steps) {
    const bool power = p.rule == StdpRule::power_law;
    StdpKernel k;
    k.rule = p.rule;
    k.all_to_all = p.pairing == StdpPairing::all_to_all;
    k.A_plus = power ? p.lambda : p.A_plus;
    k.A_minus = power ? p.lambda * p.alpha : p.A_minus;
    k.mu = power ? p.mu : 0.0;
    k.plus = TraceDecay(dt / p.tau_plus);
    k.minus = TraceDecay(dt / p.tau_minus);
    k.w_min = p.w_min;
    k.w_max = p.w_max;
    k.dendritic = dendritic_steps;
    return k;
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
  // A trace just after a spike at `now`: +1 on what is left of it (all-to-all), or reset to 1
  // (nearest).
  double after_spike(const TraceDecay& decay, double value, Step last, Step now) const {
    return (all_to_all && last != never ? value * decay(now - last) : 0.0) + 1.0;
  }
};

// The presynaptic trace of the synapses of one source that share a delay and a rule: they see
// the same arrivals, so the trace is kept once for all of them instead of in every synapse (as
// the postsynaptic trace is kept once per target). `x` and `last` are the trace just after the
// newest arrival; `x_before` and `last_before` the trace just after the one before, which the
// synapses of the newest arrival pair their earlier postsynaptic spikes with.
struct PresynapticTrace {
  double x = 0.0;
  Step last = never;
  double x_before = 0.0;
  Step last_before = never;

  // The first synapse of an arrival moves the trace on; the others of the same arrival find it
  // moved. A source spikes at most once a step, so one arrival per step.
  void arrive(const StdpKernel& k, Step arrival) {
    if (last == arrival) return;
    x_before = x;
    last_before = last;
    x = k.after_spike(k.plus, x, last, arrival);
    last = arrival;
  }
};

// One postsynaptic spike reaching the synapse at `arrival` (< the next presynaptic arrival),
// paired with the presynaptic trace just after the previous presynaptic arrival.
inline void stdp_post(const StdpKernel& k, double& weight, double x, Step last_arrival,
                      Step arrival) {
  if (last_arrival != never) weight = k.potentiate(weight, x * k.plus(arrival - last_arrival));
}

// The presynaptic spike arriving, after every earlier postsynaptic arrival went through
// stdp_post; `last_post` is the latest of those (never: none) and `y` the postsynaptic trace
// just after it. Returns the weight it transmits.
inline double stdp_pre(const StdpKernel& k, double& weight, Step arrival, Step last_post,
                       double y) {
  if (last_post != never) weight = k.depress(weight, y * k.minus(arrival - last_post));
  return weight;
}

}  // namespace myelin
