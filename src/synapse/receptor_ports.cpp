#include "synapse/receptor_ports.hpp"

#include <algorithm>

namespace myelin {

namespace {
SynapseKind kind_of(const std::string& synapse) {
  if (synapse == "exp_current") return SynapseKind::exp_current;
  if (synapse == "alpha_current") return SynapseKind::alpha_current;
  if (synapse == "exp_conductance") return SynapseKind::exp_conductance;
  if (synapse == "alpha_conductance") return SynapseKind::alpha_conductance;
  return SynapseKind::delta;
}
}  // namespace

ReceptorPorts receptor_ports(const Config& config) {
  ReceptorPorts out;
  out.of_population.resize(config.populations.size());
  const auto port_of = [&](const std::string& target_name, const std::string& synapse,
                           double tau_syn, double e_rev) {
    std::size_t target = 0;
    while (config.populations[target].name != target_name) ++target;
    PortSpec spec;
    spec.kind = kind_of(synapse);
    if (spec.kind != SynapseKind::delta) spec.tau_syn = tau_syn;
    if (is_conductance(spec.kind)) spec.e_rev = e_rev;
    auto& ports = out.of_population[target];
    const auto it = std::find(ports.begin(), ports.end(), spec);
    const auto index = static_cast<std::uint32_t>(it - ports.begin());
    if (it == ports.end()) ports.push_back(spec);
    return index;
  };
  for (const ProjectionConfig& proj : config.projections)
    out.of_projection.push_back(port_of(proj.target, proj.synapse, proj.tau_syn, proj.e_rev));
  for (const PoissonInputConfig& in : config.poisson_inputs)
    out.of_poisson_input.push_back(port_of(in.target, in.synapse, in.tau_syn, in.e_rev));
  // A population nobody projects to still has one (delta) port, so every model sees input rows.
  for (auto& ports : out.of_population)
    if (ports.empty()) ports.push_back(PortSpec{});
  return out;
}

}  // namespace myelin
