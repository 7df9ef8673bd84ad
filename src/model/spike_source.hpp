#pragma once

// A population that emits given spike times and ignores its inputs (NEST's spike_generator):
// for stimulation protocols, e.g. forced pre/post pairs for STDP. Each spike is emitted in the
// step whose end is its time, so its recorded time is exactly the configured one.

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "core/population_spec.hpp"
#include "model/model_context.hpp"
#include "model/parameter_info.hpp"
#include "model/recordable_view.hpp"
#include "model/state_array.hpp"
#include "myelin/health.hpp"
#include "myelin/types.hpp"

namespace myelin {

class SpikeSourcePopulation {
 public:
  SpikeSourcePopulation(const PopulationSpec& config, std::span<const Gid> gids, Gid first_gid,
                        const ModelContext& context);
  static const ModelInfo& info();

  std::size_t size() const { return gid_.size(); }
  std::span<const Gid> gids() const { return gid_; }

  void update(std::size_t begin, std::size_t end, Step step, std::span<const double> input,
              std::vector<Spike>& spikes, Health& health);
  // Nothing to record (info().recordables is empty): an empty view, which reads 0.
  RecordableView recordable(std::size_t) const { return {}; }
  double value(std::size_t variable, std::size_t i) const { return recordable(variable).at(i); }
  // Dynamic state by name, for checkpoints (model/state_array.hpp).
  std::vector<StateArray> state();

 private:
  std::vector<Gid> gid_;
  // Neuron i's spikes are steps_[begin_[i], end_[i]); one shared list when every neuron has the
  // same times (stored once, not once per neuron). The state is the count already emitted,
  // relative to the neuron's own list, so it means the same for every split.
  std::vector<Step> steps_;
  std::vector<std::uint64_t> begin_;    // [neuron]
  std::vector<std::uint64_t> end_;      // [neuron]
  std::vector<std::uint64_t> emitted_;  // [neuron]: spikes emitted so far
};

}  // namespace myelin
