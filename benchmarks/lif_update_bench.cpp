// LifPopulation::update per neuron and step (Google Benchmark): the sw10k neuron (delta port,
// white noise) and the CUBA one (two exp_current ports, no noise), 10,000 neurons, one thread.

#include <benchmark/benchmark.h>

#include <numeric>
#include <vector>

#include "model/lif.hpp"

namespace myelin {
namespace {

PopulationSpec population(std::uint32_t n, double noise_sigma) {
  PopulationSpec pop;
  pop.name = "bench";
  pop.model = "lif";
  pop.size = n;
  for (const auto& info : lif_parameters())
    pop.params[std::string(info.name)] = ParamValue::constant(info.default_value);
  pop.params["C_m"] = ParamValue::constant(1000.0);
  pop.params["I_e"] = ParamValue::constant(1000.0);
  pop.params["noise_sigma"] = ParamValue::constant(noise_sigma);
  pop.params["V_m"] = ParamValue{ParamValue::Kind::uniform, -70.0, -55.0};
  return pop;
}

void run(benchmark::State& state, double noise_sigma, std::vector<PortSpec> ports,
         Step stride = 1) {
  constexpr std::uint32_t n = 10000;
  std::vector<Gid> gids(n);
  std::iota(gids.begin(), gids.end(), Gid{0});
  const std::size_t rows = ports.empty() ? 1 : ports.size();
  LifPopulation lif(population(n, noise_sigma), gids, 0,
                    ModelContext{.dt = 0.1, .seed = 1, .v_bound = 1e4, .ports = std::move(ports)});
  std::vector<double> input(rows * n, 0.0);
  std::vector<Spike> spikes;
  Health health;
  Step step = 0;
  for (auto _ : state) {
    spikes.clear();
    lif.update(0, n, step, input, spikes, health);
    step += stride;
    benchmark::DoNotOptimize(spikes.data());
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * n);
}

void sw10k_neuron(benchmark::State& state) {
  run(state, 3.0, {});
}
void cuba_neuron(benchmark::State& state) {
  run(state, 0.0,
      {PortSpec{SynapseKind::exp_current, 5.0, 0.0},
       PortSpec{SynapseKind::exp_current, 10.0, 0.0}});
}
// Even steps only: each one draws a fresh Philox block and Box-Muller pair.
void sw10k_neuron_fresh_pair(benchmark::State& state) {
  run(state, 3.0, {}, 2);
}
BENCHMARK(sw10k_neuron);
BENCHMARK(sw10k_neuron_fresh_pair);
BENCHMARK(cuba_neuron);

}  // namespace
}  // namespace myelin

BENCHMARK_MAIN();
