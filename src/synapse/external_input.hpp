#pragma once

// Poisson inputs onto one population's local neurons ([input.NAME] type = "poisson"): in each
// active step, neuron i receives weight * Poisson(rate * dt) in the input row of its receptor
// port, as if that many spikes of independent sources had arrived at the end of the step.
// Counts are drawn where the neuron lives (poisson.hpp): no spike is exchanged, and the input
// a neuron sees is the same for every split.

#include <cstdint>
#include <span>
#include <vector>

#include "config/config.hpp"
#include "myelin/types.hpp"
#include "synapse/poisson.hpp"

namespace myelin {

class ExternalInput {
 public:
  ExternalInput() = default;
  // The Poisson inputs of config onto population `population` (config order), for this rank's
  // neurons `gids` of that population.
  ExternalInput(const Config& config, std::size_t population, std::span<const Gid> gids);

  bool empty() const { return sources_.empty(); }

  // Adds the counts of step `step` for local neurons [begin, end) to `input` (port-major rows
  // of the population's local neurons, as the models read them).
  void add(std::size_t begin, std::size_t end, Step step, std::span<double> input) const;

 private:
  struct Source {
    std::uint32_t port = 0;
    std::uint32_t hash = 0;  // of the input's name: its own random numbers
    double lambda = 0.0;     // expected spikes per neuron and step
    PoissonSampler sampler{0.0};
    double weight = 0.0;
    Step first = 0;
    Step last = 0;
  };
  std::vector<Gid> gids_;
  std::uint64_t seed_ = 0;
  std::vector<Source> sources_;
};

// One ExternalInput per population (config order) for this rank's neurons.
std::vector<ExternalInput> make_external_inputs(const Config& config,
                                                const std::vector<std::vector<Gid>>& local_gids);

}  // namespace myelin
