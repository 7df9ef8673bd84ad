#pragma once

// [input.NAME] tables: external drive onto a population. type = "poisson" (independent Poisson
// spike trains per neuron into a receptor port) or "dc" (a constant current over a window).

#include <string>

#include "config/config.hpp"
#include "config/toml_reader.hpp"

namespace myelin {

// Reads one [input.NAME]; a poisson input is appended to config.poisson_inputs, a dc input to
// its target population's `dc` list. Populations must already be read.
void read_input(const std::string& name, TableReader r, Config& config);

}  // namespace myelin
