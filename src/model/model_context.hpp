#pragma once

// What every population needs besides its own parameters: the run's constants and the
// receptor ports of its incoming projections.

#include <cstdint>
#include <vector>

#include "synapse/synapse_ports.hpp"

namespace myelin {

struct ModelContext {
  double dt = 0.1;             // [ms]
  std::uint64_t seed = 12345;  // run seed (noise, initial values)
  double v_bound = 1.0e4;      // [mV] |V_m| beyond this is a blow-up
  double temperature = 6.3;    // [degC]
  // Receptor ports, in the order of the input rows; empty means one delta port.
  std::vector<PortSpec> ports;

  std::vector<PortSpec> ports_or_delta() const {
    return ports.empty() ? std::vector<PortSpec>{PortSpec{}} : ports;
  }
};

}  // namespace myelin
