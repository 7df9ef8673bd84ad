// Per neuron-step cost of each cell model's update, through the public population API the
// epoch loop uses (constructor from a parsed config, update over a range, spikes appended).
// items_per_second = neuron-steps per second on one core. The input rows carry a steady,
// sparse drive (about one neuron in ten gets a weight every step), as a ring slot would.

#include <benchmark/benchmark.h>

#include <cstdint>
#include <numeric>
#include <string>
#include <vector>

#include "config/config_parser.hpp"
#include "model/population.hpp"
#include "myelin/health.hpp"

namespace myelin {
namespace {

constexpr std::size_t n_neurons = 8192;

struct Setup {
  Config config;
  ModelContext context;
  std::vector<Gid> gids;
  std::vector<double> drive;  // [port * n + i] the weight added every step
};

Setup make_setup(const std::string& population_toml, std::vector<PortSpec> ports,
                 std::vector<double> port_weight) {
  Setup s;
  const std::string text =
      "[simulation]\ndt = 0.1\nt_stop = 1.0\nseed = 12345\n"
      "[population.p]\nsize = " +
      std::to_string(n_neurons) + "\n" + population_toml + "\n[output]\nfile = \"micro.h5\"\n";
  s.config = parse_config(text, {});
  s.context = ModelContext{s.config.simulation.dt, s.config.simulation.seed,
                           s.config.simulation.v_bound, s.config.simulation.temperature, ports};
  s.gids.resize(n_neurons);
  std::iota(s.gids.begin(), s.gids.end(), Gid{0});
  const std::size_t n_ports = ports.empty() ? 1 : ports.size();
  s.drive.assign(n_ports * n_neurons, 0.0);
  for (std::size_t q = 0; q < n_ports; ++q)
    for (std::size_t i = q; i < n_neurons; i += 10) s.drive[q * n_neurons + i] = port_weight[q];
  return s;
}

template <class Pop>
void run_update(benchmark::State& state, const Setup& s) {
  Pop pop(s.config.populations.at(0), s.gids, Gid{0}, s.context);
  std::vector<double> input = s.drive;
  std::vector<Spike> spikes;
  spikes.reserve(n_neurons);
  Health health;
  Step step = 0;
  std::uint64_t fired = 0;
  for (auto _ : state) {
    pop.update(0, n_neurons, step++, input, spikes, health);
    fired += spikes.size();
    spikes.clear();
    benchmark::DoNotOptimize(input.data());
  }
  if (health.failed) state.SkipWithError("numerical blow-up: the drive is unrealistic");
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(n_neurons));
  state.counters["rate_Hz"] =
      static_cast<double>(fired) /
      (static_cast<double>(state.iterations()) * s.config.simulation.dt * 1e-3 * n_neurons);
}

// sw100k's cell: delta synapses, white-noise current, constant I_e below threshold.
void BM_LifDeltaNoise(benchmark::State& state) {
  static const Setup s = make_setup(
      "model = \"lif\"\ntau_m = 10.0\nC_m = 1000.0\nE_L = -70.0\nV_th = -55.0\nV_reset = -70.0\n"
      "t_ref = 2.0\nI_e = 1000.0\nnoise_sigma = 3.0\nV_m = { uniform = [-70.0, -55.0] }",
      {}, {0.05});
  run_update<LifPopulation>(state, s);
}

// CUBA's cell: two exp_current ports (excitatory 5 ms, inhibitory 10 ms), threshold V_th [mV].
Setup cuba_cell(const std::string& v_th) {
  return make_setup("model = \"lif\"\ntau_m = 20.0\nC_m = 250.0\nE_L = -49.0\nV_th = " + v_th +
                        "\nV_reset = -60.0\nt_ref = 5.0\nV_m = { uniform = [-60.0, -50.0] }",
                    {{SynapseKind::exp_current, 5.0, 0.0}, {SynapseKind::exp_current, 10.0, 0.0}},
                    {20.25, -112.5});
}

void BM_LifTwoExpCurrent(benchmark::State& state) {
  static const Setup s = cuba_cell("-50.0");
  run_update<LifPopulation>(state, s);
}

// The same cell and drive with the threshold out of reach: the vector kernel alone, without
// the spiking neurons' scalar path (crossing times, refractory ends).
void BM_LifTwoExpCurrentSubthreshold(benchmark::State& state) {
  static const Setup s = cuba_cell("500.0");
  run_update<LifPopulation>(state, s);
}

void BM_LifAlphaCurrent(benchmark::State& state) {
  static const Setup s = make_setup(
      "model = \"lif\"\ntau_m = 10.0\nC_m = 250.0\nE_L = -65.0\nV_th = -50.0\nV_reset = -65.0\n"
      "t_ref = 2.0\nI_e = 300.0\nV_m = { uniform = [-65.0, -50.0] }",
      {{SynapseKind::alpha_current, 0.5, 0.0}}, {87.8});
  run_update<LifPopulation>(state, s);
}

// COBAHH's cell: Traub-Miles with excitatory and inhibitory exp conductances.
void BM_TraubMilesExpConductance(benchmark::State& state) {
  static const Setup s = make_setup(
      "model = \"traub_miles\"\nV_m = { normal = [-65.0, 5.0] }",
      {{SynapseKind::exp_conductance, 5.0, 0.0}, {SynapseKind::exp_conductance, 10.0, -80.0}},
      {6.0, 67.0});
  run_update<TraubMilesPopulation>(state, s);
}

void BM_Izhikevich(benchmark::State& state) {
  static const Setup s =
      make_setup("model = \"izhikevich\"\npreset = \"RS\"\nI_e = 10.0", {}, {0.5});
  run_update<IzhikevichPopulation>(state, s);
}

BENCHMARK(BM_LifDeltaNoise);
BENCHMARK(BM_LifTwoExpCurrent);
BENCHMARK(BM_LifTwoExpCurrentSubthreshold);
BENCHMARK(BM_LifAlphaCurrent);
BENCHMARK(BM_TraubMilesExpConductance);
BENCHMARK(BM_Izhikevich);

}  // namespace
}  // namespace myelin
