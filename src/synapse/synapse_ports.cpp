#include "synapse/synapse_ports.hpp"

#include <numbers>

namespace myelin {

SynapsePorts::SynapsePorts(std::vector<PortSpec> specs, std::size_t n_neurons, double dt)
    : specs_(std::move(specs)), n_(n_neurons) {
  for (const PortSpec& s : specs_) {
    Propagator p;
    p.dt = dt;
    if (s.kind != SynapseKind::delta) {
      const double x = dt / s.tau_syn;
      p.decay = std::exp(-x);
      p.mean = exp_mean(dt, s.tau_syn);
      // (1/h) * integral_0^h t e^(-t/tau) dt = tau^2 (1 - e^(-x) (1 + x)) / h
      p.mean_from_y = s.tau_syn * s.tau_syn * (-std::expm1(-x) - x * std::exp(-x)) / dt;
      p.alpha_scale = std::numbers::e / s.tau_syn;
    }
    prop_.push_back(p);
    any_conductance_ = any_conductance_ || is_conductance(s.kind);
    any_state_ = any_state_ || s.kind != SynapseKind::delta;
    state_.emplace_back(s.kind == SynapseKind::delta ? 0 : n_neurons, 0.0);
    aux_.emplace_back(is_alpha(s.kind) ? n_neurons : 0, 0.0);
  }
}

void SynapsePorts::advance_block(std::size_t begin, std::size_t end,
                                 std::span<const double> input) {
  for (std::size_t q = 0; q < specs_.size(); ++q) {
    const Propagator& p = prop_[q];
    const double* w = input.data() + q * n_;
    double* state = state_[q].data();
    switch (specs_[q].kind) {
      case SynapseKind::delta:
        break;
      case SynapseKind::exp_current:
      case SynapseKind::exp_conductance:
        for (std::size_t i = begin; i < end; ++i) state[i] = state[i] * p.decay + w[i];
        break;
      case SynapseKind::alpha_current:
      case SynapseKind::alpha_conductance: {
        double* aux = aux_[q].data();
        for (std::size_t i = begin; i < end; ++i) {
          const double y = aux[i];
          state[i] = (state[i] + p.dt * y) * p.decay;
          aux[i] = y * p.decay + w[i] * p.alpha_scale;
        }
        break;
      }
    }
  }
}

}  // namespace myelin
