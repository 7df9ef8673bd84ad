#pragma once

// A population that emits given spike times and ignores its inputs (NEST's spike_generator):
// for stimulation protocols, e.g. forced pre/post pairs for STDP. Each spike is emitted in the
// step whose end is its time, so its recorded time is exactly the configured one.

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "config/config.hpp"
#include "model/model_context.hpp"
#include "myelin/health.hpp"
#include "myelin/types.hpp"

namespace myelin {

class SpikeSourcePopulation {
 public:
  SpikeSourcePopulation(const PopulationConfig& config, std::span<const Gid> gids, Gid first_gid,
                        const ModelContext& context);

  std::size_t size() const { return gid_.size(); }
  std::span<const Gid> gids() const { return gid_; }

  void update(std::size_t begin, std::size_t end, Step step, std::span<const double> input,
              std::vector<Spike>& spikes, Health& health);
  double value(std::size_t variable, std::size_t i) const;

 private:
  std::vector<Gid> gid_;
  // Neuron i's spikes are steps_[next_[i], end_[i]); one shared list when every neuron has the
  // same times (stored once, not once per neuron).
  std::vector<Step> steps_;
  std::vector<std::uint64_t> next_;  // [neuron]: the next spike not yet emitted
  std::vector<std::uint64_t> end_;
};

}  // namespace myelin
