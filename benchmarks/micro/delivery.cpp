// The delivery phase: deliver() over a CSR shaped like sw100k's (100,000 neurons, 100
// synapses a source, one delay of 15 steps) and like a random network of several delays, with
// epochs of spikes at about 10 Hz. items_per_second = synaptic events per second on one core
// (the goal for sw100k: >= 3e7).

#include "synapse/delivery.hpp"

#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <vector>

#include "network/local_network.hpp"
#include "synapse/ring_buffer.hpp"

namespace myelin {
namespace {

constexpr std::uint32_t n_neurons = 100000;
constexpr std::uint32_t fan_out = 100;
constexpr Step epoch_steps = 15;  // = the min delay
constexpr int n_epochs = 32;      // distinct spike sets, cycled

enum class Shape { small_world, random };

struct Network {
  SourceIndex sources{n_neurons};
  ThreadSynapses synapses;
  Step max_delay = 0;
  std::vector<std::vector<Spike>> epochs;  // [epoch] sorted by (step, gid)
};

// small_world: targets within +-50 of the source (a ring lattice), 10 % rewired uniformly,
// one delay; random: uniform targets, delays 15..30 steps, so a row has several runs. Targets
// ascend within a run (the build keeps generation order, which for these rules is close).
Network make_network(Shape shape) {
  Network net;
  std::mt19937_64 rng(12345);
  std::uniform_int_distribution<std::uint32_t> any(0, n_neurons - 1);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  std::uniform_int_distribution<std::uint32_t> delay(15, 30);
  ThreadSynapses& s = net.synapses;
  for (Gid g = 0; g < n_neurons; ++g) net.sources.mark(g);
  net.sources.finalise();
  std::vector<std::pair<std::uint32_t, std::uint32_t>> row;  // (delay, target)
  for (Gid g = 0; g < n_neurons; ++g) {
    row.clear();
    for (std::uint32_t k = 0; k < fan_out; ++k) {
      std::uint32_t target = 0;
      std::uint32_t d = 15;
      if (shape == Shape::small_world) {
        const auto offset =
            static_cast<std::int64_t>(k < fan_out / 2 ? k + 1 : fan_out / 2 - k - 1);
        target = static_cast<std::uint32_t>((static_cast<std::int64_t>(g) + offset + n_neurons) %
                                            n_neurons);
        if (unit(rng) < 0.1) target = any(rng);
      } else {
        target = any(rng);
        d = delay(rng);
      }
      row.emplace_back(d, target);
    }
    std::sort(row.begin(), row.end());
    s.row_run.push_back(static_cast<std::uint32_t>(s.run_delay.size()));
    for (std::size_t k = 0; k < row.size(); ++k) {
      if (k == 0 || row[k].first != row[k - 1].first) {
        if (k != 0) s.run_end.push_back(static_cast<std::uint32_t>(s.target.size()));
        s.run_delay.push_back(row[k].first);
        net.max_delay = std::max<Step>(net.max_delay, row[k].first);
      }
      s.target.push_back(row[k].second);
      s.weight.push_back(0.05 + 0.001 * static_cast<double>(k % 7));
    }
    s.run_end.push_back(static_cast<std::uint32_t>(s.target.size()));
  }
  s.row_run.push_back(static_cast<std::uint32_t>(s.run_delay.size()));
  // 10 Hz: a neuron fires in a 0.1 ms step with probability 1e-3.
  std::bernoulli_distribution fires(1e-3);
  for (int e = 0; e < n_epochs; ++e) {
    std::vector<Spike> spikes;
    for (Step step = 0; step < epoch_steps; ++step)
      for (Gid g = 0; g < n_neurons; ++g)
        if (fires(rng)) spikes.push_back({e * epoch_steps + step, g});
    net.epochs.push_back(std::move(spikes));
  }
  return net;
}

void run_delivery(benchmark::State& state, const Network& net) {
  RingBuffer ring(n_neurons, net.max_delay + epoch_steps);
  std::uint64_t events = 0;
  std::size_t e = 0;
  Step base = 0;  // shifts the spike steps so the ring slots rotate as in a run
  std::vector<Spike> spikes;
  for (auto _ : state) {
    state.PauseTiming();
    spikes = net.epochs[e];
    for (Spike& s : spikes) s.step += base;
    if (++e == net.epochs.size()) {
      e = 0;
      base += n_epochs * epoch_steps;
    }
    state.ResumeTiming();
    events += deliver(spikes, net.sources, net.synapses, ring);
  }
  benchmark::DoNotOptimize(ring.slot(0).data());
  state.SetItemsProcessed(static_cast<std::int64_t>(events));
  state.counters["events_per_epoch"] =
      benchmark::Counter(static_cast<double>(events) / static_cast<double>(state.iterations()));
}

void BM_DeliverSmallWorld(benchmark::State& state) {
  static const Network net = make_network(Shape::small_world);
  run_delivery(state, net);
}

void BM_DeliverRandomDelays(benchmark::State& state) {
  static const Network net = make_network(Shape::random);
  run_delivery(state, net);
}

BENCHMARK(BM_DeliverSmallWorld)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_DeliverRandomDelays)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace myelin
