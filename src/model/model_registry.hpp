#pragma once

// Every cell model, in one list. Adding a model is writing its population class (structure of
// arrays, `update(begin, end, step, input, spikes, health)`, `value`, `state`, and a static
// `info()` with its parameters, units and recordables) and adding it here: the Population
// variant, the config's tables and checks, and the construction all follow from the list.

#include <variant>

#include "model/hh.hpp"
#include "model/izhikevich.hpp"
#include "model/lif.hpp"
#include "model/spike_source.hpp"

namespace myelin {

template <class... Model>
struct ModelList {
  using Variant = std::variant<Model...>;
  // Calls fn.template operator()<M>() for every model M, in list order.
  template <class Fn>
  static void for_each(Fn&& fn) {
    (fn.template operator()<Model>(), ...);
  }
};

using Models = ModelList<LifPopulation, HhPopulation, TraubMilesPopulation, IzhikevichPopulation,
                         SpikeSourcePopulation>;

// One std::visit per population and step, never a virtual call per neuron.
using Population = Models::Variant;

}  // namespace myelin
