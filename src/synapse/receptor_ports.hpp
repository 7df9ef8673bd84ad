#pragma once

// Which receptor port of its target population each projection feeds: one port per distinct
// (synapse kind, tau_syn, E_rev), in the order projections, then Poisson inputs, first use them
// (config order), so projections and inputs with the same kinetics share one state variable.

#include <cstdint>
#include <vector>

#include "config/config.hpp"
#include "synapse/synapse_ports.hpp"

namespace myelin {

struct ReceptorPorts {
  std::vector<std::vector<PortSpec>> of_population;  // [population], config order
  std::vector<std::uint32_t> of_projection;          // [projection] port index in its target
  std::vector<std::uint32_t> of_poisson_input;       // [poisson input] port index in its target
};

ReceptorPorts receptor_ports(const Config& config);

}  // namespace myelin
