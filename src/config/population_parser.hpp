#pragma once

// One [population.NAME] table -> PopulationConfig: model, options and presets, every
// parameter (constant, distribution or Nernst potential) range-checked for every neuron.

#include <string>

#include "config/config.hpp"
#include "config/toml_reader.hpp"

namespace myelin {

PopulationConfig read_population(const std::string& name, TableReader r,
                                 const SimulationConfig& sim);

}  // namespace myelin
