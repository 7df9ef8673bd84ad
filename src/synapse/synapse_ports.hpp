#pragma once

// The synaptic inputs of one population, as structure-of-arrays per receptor port.
//
// Every distinct (synapse kind, tau_syn, E_rev) among the projections onto a population is one
// port. Spikes arriving at the end of step s are added to the port's state then, so they act
// from step s + 1 on, exactly like a delta input that arrives at the end of step s.
//
//   delta              V_m jumps by w [mV]                                  (no state)
//   exp_current        I += w [pA];  dI/dt = -I / tau_syn
//   alpha_current      y += w e / tau_syn;  dy/dt = -y / tau_syn,  dI/dt = y - I / tau_syn
//                      (I(t) = w (e / tau) t e^(-t/tau): peak w [pA] at t = tau_syn, NEST
//                      iaf_psc_alpha)
//   exp_conductance    g += w [nS];  dg/dt = -g / tau_syn;  I = g (E_rev - V)
//   alpha_conductance  y += w e / tau_syn;  dy/dt = -y / tau_syn,  dg/dt = y - g / tau_syn
//                      (g(t) = w (t / tau) e^(1 - t/tau): peak w at t = tau_syn, as in NEST)
//
// Each port advances by its exact propagator. Models that need the conductance or current over
// a step (Hodgkin-Huxley, conductance-based LIF) use its exact mean over the step.

#include <cmath>
#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include "model/state_array.hpp"

namespace myelin {

enum class SynapseKind { delta, exp_current, alpha_current, exp_conductance, alpha_conductance };

struct PortSpec {
  SynapseKind kind = SynapseKind::delta;
  double tau_syn = 0.0;  // [ms]; unused by delta
  double e_rev = 0.0;    // [mV]; conductance kinds only

  friend bool operator==(const PortSpec&, const PortSpec&) = default;
};

inline bool is_conductance(SynapseKind k) {
  return k == SynapseKind::exp_conductance || k == SynapseKind::alpha_conductance;
}
inline bool is_current(SynapseKind k) {
  return k == SynapseKind::exp_current || k == SynapseKind::alpha_current;
}
// Kinds with a second state variable y (the alpha function's rising part).
inline bool is_alpha(SynapseKind k) {
  return k == SynapseKind::alpha_current || k == SynapseKind::alpha_conductance;
}

// Step means of the synaptic drive of one neuron over the coming step.
struct SynapticDrive {
  double current = 0.0;      // [pA] sum of the current ports' mean current
  double conductance = 0.0;  // [nS] sum of the conductance ports' mean conductance
  double g_e_rev = 0.0;      // [nS mV] sum of mean conductance times E_rev
};

class SynapsePorts {
 public:
  SynapsePorts() = default;
  SynapsePorts(std::vector<PortSpec> specs, std::size_t n_neurons, double dt);

  std::size_t size() const { return specs_.size(); }
  const std::vector<PortSpec>& specs() const { return specs_; }
  bool any_conductance() const { return any_conductance_; }
  bool any_state() const { return any_state_; }

  // Sum of the delta ports' inputs to neuron i. `input` is port-major: input[q * n + i].
  double delta_input(std::size_t i, std::span<const double> input) const {
    double v = 0.0;
    for (std::size_t q = 0; q < specs_.size(); ++q)
      if (specs_[q].kind == SynapseKind::delta) v += input[q * n_ + i];
    return v;
  }

  // The exact step means of neuron i's synaptic current and conductance for the coming step.
  SynapticDrive mean_drive(std::size_t i) const {
    SynapticDrive d;
    for (std::size_t q = 0; q < specs_.size(); ++q) {
      const Propagator& p = prop_[q];
      switch (specs_[q].kind) {
        case SynapseKind::delta:
          break;
        case SynapseKind::exp_current:
          d.current += p.mean * state_[q][i];
          break;
        case SynapseKind::alpha_current:
          d.current += p.mean * state_[q][i] + p.mean_from_y * aux_[q][i];
          break;
        case SynapseKind::exp_conductance: {
          const double g = p.mean * state_[q][i];
          d.conductance += g;
          d.g_e_rev += g * specs_[q].e_rev;
          break;
        }
        case SynapseKind::alpha_conductance: {
          const double g = p.mean * state_[q][i] + p.mean_from_y * aux_[q][i];
          d.conductance += g;
          d.g_e_rev += g * specs_[q].e_rev;
          break;
        }
      }
    }
    return d;
  }

  // Advances neuron i's port states by one step, then adds the inputs that arrive at its end.
  void advance(std::size_t i, std::span<const double> input) {
    for (std::size_t q = 0; q < specs_.size(); ++q) {
      const Propagator& p = prop_[q];
      const double w = input[q * n_ + i];
      switch (specs_[q].kind) {
        case SynapseKind::delta:
          break;
        case SynapseKind::exp_current:
        case SynapseKind::exp_conductance:
          state_[q][i] = state_[q][i] * p.decay + w;
          break;
        case SynapseKind::alpha_current:
        case SynapseKind::alpha_conductance: {
          const double y = aux_[q][i];
          state_[q][i] = (state_[q][i] + p.dt * y) * p.decay;
          aux_[q][i] = y * p.decay + w * p.alpha_scale;
          break;
        }
      }
    }
  }

  // advance(i, input) for every neuron of [begin, end), port by port: the same expressions as
  // advance(i), so the same bits (the build keeps -ffp-contract=off), in loops the compiler
  // vectorises.
  void advance_block(std::size_t begin, std::size_t end, std::span<const double> input);

  // Port q's state and propagator, for a kernel that advances the ports in its own pass with
  // the expressions of advance(i). Not for delta ports (no state).
  struct AdvanceTerms {
    double* state = nullptr;
    double* rising = nullptr;  // alpha's y; nullptr for the exp kinds
    double decay = 1.0, dt = 0.0, alpha_scale = 0.0;
  };
  AdvanceTerms advance_terms(std::size_t q) {
    return {state_[q].data(), aux_[q].empty() ? nullptr : aux_[q].data(), prop_[q].decay,
            prop_[q].dt, prop_[q].alpha_scale};
  }

  // The ports' state for a checkpoint: "port<q>" (I or g) and "port<q>.rising" (alpha's y).
  void add_state(std::vector<StateArray>& out) {
    for (std::size_t q = 0; q < specs_.size(); ++q) {
      if (specs_[q].kind != SynapseKind::delta)
        out.push_back(real_state("port" + std::to_string(q), state_[q]));
      if (is_alpha(specs_[q].kind))
        out.push_back(real_state("port" + std::to_string(q) + ".rising", aux_[q]));
    }
  }

  // State of port q for neuron i: I [pA] or g [nS].
  double value(std::size_t q, std::size_t i) const { return state_[q][i]; }
  // Port q's I or g (and alpha's y; nullptr for the other kinds) over all neurons, for kernels
  // that read a block of neurons at once.
  const double* values(std::size_t q) const { return state_[q].data(); }
  const double* risings(std::size_t q) const { return aux_[q].empty() ? nullptr : aux_[q].data(); }
  // Port q's factors in mean_drive: the step mean of I or g is mean * I + mean_from_y * y.
  double mean(std::size_t q) const { return prop_[q].mean; }
  double mean_from_y(std::size_t q) const { return prop_[q].mean_from_y; }
  // The rising variable y of an alpha port [pA/ms or nS/ms]; 0 for the other kinds.
  double rising(std::size_t q, std::size_t i) const { return aux_[q].empty() ? 0.0 : aux_[q][i]; }
  // The state arrays that total() sums, for a RecordableView.
  std::vector<const double*> total_terms(bool conductance) const {
    std::vector<const double*> terms;
    for (std::size_t q = 0; q < specs_.size(); ++q)
      if (specs_[q].kind != SynapseKind::delta && is_conductance(specs_[q].kind) == conductance)
        terms.push_back(state_[q].data());
    return terms;
  }
  // Recordable totals over the ports: "I_syn" (current ports, pA), "g_syn" (conductance, nS).
  double total(bool conductance, std::size_t i) const {
    double sum = 0.0;
    for (std::size_t q = 0; q < specs_.size(); ++q)
      if (specs_[q].kind != SynapseKind::delta && is_conductance(specs_[q].kind) == conductance)
        sum += state_[q][i];
    return sum;
  }

 private:
  struct Propagator {
    double dt = 0.0;
    double decay = 1.0;        // exp(-dt / tau)
    double mean = 0.0;         // mean over the step of exp(-t / tau)
    double mean_from_y = 0.0;  // alpha: mean over the step of t exp(-t / tau) [ms]
    double alpha_scale = 0.0;  // alpha: e / tau
  };

  std::vector<PortSpec> specs_;
  std::size_t n_ = 0;
  bool any_conductance_ = false;
  bool any_state_ = false;
  std::vector<Propagator> prop_;
  std::vector<std::vector<double>> state_;  // [port][neuron]: I or g
  std::vector<std::vector<double>> aux_;    // [port][neuron]: y of alpha ports
};

// Mean over [0, h] of exp(-t / tau): tau (1 - e^(-h/tau)) / h, without cancellation.
inline double exp_mean(double h, double tau) {
  return -std::expm1(-h / tau) * tau / h;
}

}  // namespace myelin
