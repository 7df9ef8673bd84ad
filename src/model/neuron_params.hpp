#pragma once

// One neuron's value of a population parameter: the constant, or its draw keyed by
// (seed, population, population-local index, parameter), the same on every rank.

#include <cstdint>
#include <string>
#include <string_view>

#include "core/param_draw.hpp"
#include "core/population_spec.hpp"
#include "core/random.hpp"

namespace myelin {

struct NeuronParams {
  const PopulationSpec& pop;
  std::uint64_t seed;

  double operator()(std::string_view name, std::uint32_t i) const {
    return draw_neuron_param(pop.params.at(std::string(name)), seed, rng::name_hash(pop.name), i,
                             rng::name_hash(name));
  }
};

}  // namespace myelin
