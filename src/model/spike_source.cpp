#include "model/spike_source.hpp"

namespace myelin {

const ModelInfo& SpikeSourcePopulation::info() {
  static const ModelInfo model{.name = "spike_source", .emits_given_spikes = true};
  return model;
}

SpikeSourcePopulation::SpikeSourcePopulation(const PopulationSpec& config,
                                             std::span<const Gid> gids, Gid first_gid,
                                             const ModelContext&)
    : gid_(gids.begin(), gids.end()) {
  const bool shared = config.spike_steps.size() == 1;
  if (shared) steps_ = config.spike_steps[0];
  for (const Gid g : gid_) {
    if (shared) {
      begin_.push_back(0);
    } else {
      const auto& own = config.spike_steps[g - first_gid];
      begin_.push_back(steps_.size());
      steps_.insert(steps_.end(), own.begin(), own.end());
    }
    end_.push_back(steps_.size());
    emitted_.push_back(0);
  }
}

void SpikeSourcePopulation::update(std::size_t begin, std::size_t end, Step step,
                                   std::span<const double>, std::vector<Spike>& spikes, Health&) {
  for (std::size_t i = begin; i < end; ++i) {
    // Spike steps are strictly ascending (checked by the config parser).
    const std::uint64_t next = begin_[i] + emitted_[i];
    if (next < end_[i] && steps_[next] == step) {
      spikes.push_back({step, gid_[i]});
      ++emitted_[i];
    }
  }
}

std::vector<StateArray> SpikeSourcePopulation::state() {
  return {counter_state("emitted", emitted_)};
}

}  // namespace myelin
