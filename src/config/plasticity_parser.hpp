#pragma once

#include "config/config.hpp"
#include "config/toml_reader.hpp"

namespace myelin {

// projection.NAME.plasticity = { rule, pairing, A_plus, A_minus, tau_plus, tau_minus, w_min,
// w_max, dendritic_delay }, checked against the projection's synapse, weight and delay.
StdpParams read_plasticity(TableReader r, const ProjectionConfig& projection, double dt);

// [output.weights.NAME] for plastic projection NAME.
WeightOutputConfig read_weight_output(const std::string& projection, TableReader r,
                                      const Config& config);

// One WeightOutputConfig per plastic projection, in config order: the configured ones, the
// defaults for the rest.
std::vector<WeightOutputConfig> complete_weight_outputs(const Config& config,
                                                        std::vector<WeightOutputConfig> given);

}  // namespace myelin
