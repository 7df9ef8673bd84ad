#pragma once

// Every cell model the simulation can hold. One std::visit per population and step, never a
// virtual call per neuron.

#include <variant>

#include "model/hh.hpp"
#include "model/izhikevich.hpp"
#include "model/lif.hpp"
#include "model/spike_source.hpp"

namespace myelin {

using Population = std::variant<LifPopulation, HhPopulation, TraubMilesPopulation,
                                IzhikevichPopulation, SpikeSourcePopulation>;

}  // namespace myelin
