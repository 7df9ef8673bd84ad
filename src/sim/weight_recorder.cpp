#include "sim/weight_recorder.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

namespace myelin {

namespace {

constexpr double quantum = 2147483648.0;       // 2^31 steps over [w_min, w_max]
__extension__ typedef unsigned __int128 u128;  // exact sums of squares (GCC, Clang)

Step steps_of(double ms, double dt) {
  return std::llround(ms / dt);
}

}  // namespace

WeightRecorder::WeightRecorder(const Config& config, const LocalNetwork& network)
    : dt_(config.simulation.dt), network_(network) {
  for (std::size_t r = 0; r < network.plastic.size(); ++r) {
    const PlasticProjection& pp = network.plastic[r];
    Projection p;
    WeightRecording& o = p.out;
    o.projection = pp.name;
    o.source_population = pp.source_population;
    o.target_population = pp.target_population;
    o.rule = pp.params.rule == StdpRule::additive         ? "additive"
             : pp.params.rule == StdpRule::multiplicative ? "multiplicative"
                                                          : "power_law";
    o.pairing = pp.params.pairing == StdpPairing::all_to_all ? "all_to_all" : "nearest";
    // power_law: the amplitudes of facilitation and depression, lambda and lambda alpha.
    const bool power = pp.params.rule == StdpRule::power_law;
    o.A_plus = power ? pp.params.lambda : pp.params.A_plus;
    o.A_minus = power ? pp.params.lambda * pp.params.alpha : pp.params.A_minus;
    o.tau_plus = pp.params.tau_plus;
    o.tau_minus = pp.params.tau_minus;
    o.w_min = pp.params.w_min;
    o.w_max = pp.params.w_max;
    o.dendritic_delay = pp.params.dendritic_delay;
    p.rule = static_cast<std::uint32_t>(r);
    p.n_synapses = pp.n_synapses;
    p.snapshots = pp.per_synapse_header;
    // Without snapshots the file's weight datasets have no columns; the statistics still
    // cover every synapse.
    o.n_columns = p.snapshots ? pp.n_synapses : 0;
    o.source = pp.source;
    o.target = pp.target;
    o.delay_ms = pp.delay_ms;
    for (const WeightOutputConfig& w : config.output.weights)
      if (w.projection == pp.name) {
        p.snapshot_every = steps_of(w.snapshot_interval, dt_);
        p.stats_every = std::max<Step>(1, steps_of(w.stats_interval, dt_));
        o.bins = static_cast<std::uint32_t>(w.bins);
      }
    if (!p.snapshots) {
      projections_.push_back(std::move(p));
      continue;
    }
    std::vector<std::pair<std::uint64_t, Synapse>> mine;
    for (std::size_t t = 0; t < network.thread_plastic.size(); ++t) {
      const ThreadPlasticSynapses& ts = network.thread_plastic[t];
      for (std::size_t i = 0; i < ts.size(); ++i)
        if (ts.synapse[i].rule == r) mine.push_back({ts.column[i], {t, i}});
    }
    std::sort(mine.begin(), mine.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    if (pp.n_synapses > std::numeric_limits<std::uint32_t>::max())
      throw std::length_error("plastic projection " + pp.name + " has " +
                              std::to_string(pp.n_synapses) +
                              " synapses; weight recording holds at most 4294967295");
    // pp.columns is ascending too, so entry i of both lists is the same synapse.
    for (const auto& [column, synapse] : mine) {
      o.my_columns.push_back(static_cast<std::uint32_t>(column));
      p.mine.push_back(synapse);
    }
    projections_.push_back(std::move(p));
  }
}

void WeightRecorder::start_at(Step step) {
  if (step == 0) return;
  const auto first_at_or_after = [step](Step every) { return (step + every - 1) / every * every; };
  for (Projection& p : projections_) {
    p.next_snapshot = p.snapshot_every > 0 ? first_at_or_after(p.snapshot_every)
                                           : std::numeric_limits<Step>::max();
    p.next_stats = first_at_or_after(p.stats_every);
  }
}

void WeightRecorder::at_boundary(Step end, bool last, const std::vector<ThreadPlasticity>& threads,
                                 Communicator& comm) {
  for (Projection& p : projections_) {
    if (end >= p.next_snapshot || last) {
      snapshot(p, end, threads);
      p.next_snapshot = p.snapshot_every > 0 ? (end / p.snapshot_every + 1) * p.snapshot_every
                                             : std::numeric_limits<Step>::max();
    }
    if (end >= p.next_stats || last) {
      statistics(p, end, threads, comm);
      p.next_stats = (end / p.stats_every + 1) * p.stats_every;
    }
  }
}

void WeightRecorder::snapshot(Projection& p, Step end,
                              const std::vector<ThreadPlasticity>& threads) const {
  if (!p.snapshots) return;
  if (!p.out.snapshot_times.empty() &&
      p.out.snapshot_times.back() == static_cast<double>(end) * dt_)
    return;
  p.out.snapshot_times.push_back(static_cast<double>(end) * dt_);
  for (const Synapse& s : p.mine) p.out.my_weights.push_back(threads[s.thread].weight(s.index));
}

void WeightRecorder::statistics(Projection& p, Step end,
                                const std::vector<ThreadPlasticity>& threads,
                                Communicator& comm) const {
  WeightRecording& o = p.out;
  if (p.last_stats == end) return;
  p.last_stats = end;
  const double range = o.w_max - o.w_min;
  // [sum q, sum q^2 high 31 bits and up, sum q^2 low 31 bits, histogram...]
  std::vector<std::uint64_t> sums(3 + o.bins, 0);
  double low = std::numeric_limits<double>::infinity();
  double high = -low;
  // Integer sums and extremes do not depend on the order: any walk over the synapses will do.
  const auto add = [&](double w) {
    low = std::min(low, w);
    high = std::max(high, w);
    const double unit = std::clamp((w - o.w_min) / range, 0.0, 1.0);
    const auto q = static_cast<std::uint64_t>(std::llround(unit * quantum));
    const std::uint64_t q2 = q * q;  // < 2^62 + 1
    sums[0] += q;
    sums[1] += q2 >> 31;
    sums[2] += q2 & ((std::uint64_t{1} << 31) - 1);
    const auto bin = std::min<std::uint64_t>(o.bins - 1, static_cast<std::uint64_t>(unit * o.bins));
    ++sums[3 + bin];
  };
  if (p.snapshots) {
    for (const Synapse& s : p.mine) add(threads[s.thread].weight(s.index));
  } else {
    for (std::size_t t = 0; t < threads.size(); ++t) {
      const std::vector<PlasticTarget>& synapse = network_.thread_plastic[t].synapse;
      for (std::size_t i = 0; i < synapse.size(); ++i)
        if (synapse[i].rule == p.rule) add(threads[t].weight(i));
    }
  }
  sums = comm.sum_each(std::move(sums));
  high = comm.max(high);
  low = -comm.max(-low);
  const auto n = static_cast<u128>(p.n_synapses);
  o.stats_times.push_back(static_cast<double>(end) * dt_);
  o.min.push_back(low);
  o.max.push_back(high);
  if (n == 0) {
    o.mean.push_back(std::nan(""));
    o.sd.push_back(std::nan(""));
  } else {
    const u128 s1 = sums[0];
    const u128 s2 = (static_cast<u128>(sums[1]) << 31) + sums[2];
    // Exact: n * s2 - s1^2 >= 0 (Cauchy-Schwarz), in units of q^2.
    const u128 spread = n * s2 - s1 * s1;
    const double nd = static_cast<double>(n);
    o.mean.push_back(o.w_min + range * static_cast<double>(s1) / nd / quantum);
    o.sd.push_back(range * std::sqrt(static_cast<double>(spread)) / nd / quantum);
  }
  o.histogram.insert(o.histogram.end(), sums.begin() + 3, sums.end());
}

void WeightRecorder::open(ResultSink& sink) {
  for (Projection& p : projections_) p.handle = sink.create_weights(p.out);
}

void WeightRecorder::flush(ResultSink& sink) {
  for (Projection& p : projections_) {
    WeightRecording& o = p.out;
    sink.append_weights(p.handle, o);
    for (auto* rows :
         {&o.snapshot_times, &o.my_weights, &o.stats_times, &o.mean, &o.sd, &o.min, &o.max})
      rows->clear();
    o.histogram.clear();
  }
}

}  // namespace myelin
