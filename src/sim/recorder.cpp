#include "sim/recorder.hpp"

#include <algorithm>
#include <bit>
#include <cmath>

#include "model/parameter_info.hpp"

namespace myelin {

Recorder::Recorder(const Config& config, const LocalNetwork& network,
                   const std::vector<Population>& populations)
    : dt_(config.simulation.dt),
      record_spikes_(config.output.spikes),
      populations_(network.populations),
      trace_of_population_(network.populations.size(), -1) {
  for (const TraceConfig& tc : config.output.traces) {
    Trace trace;
    for (std::size_t p = 0; p < populations_.size(); ++p)
      if (populations_[p].name == tc.population) trace.population = p;
    const PopulationConfig& pop = *config.find_population(tc.population);
    const auto recordables = recordable_variables(pop.model);
    trace.variables = tc.variables;
    for (const std::string& v : tc.variables) {
      const auto index = static_cast<std::size_t>(
          std::find(recordables.begin(), recordables.end(), v) - recordables.begin());
      trace.views.push_back(std::visit([&](const auto& p) { return p.recordable(index); },
                                       populations[trace.population]));
    }
    if (tc.all_neurons) {
      trace.node_ids.resize(pop.size);
      for (std::uint32_t i = 0; i < pop.size; ++i) trace.node_ids[i] = i;
    } else {
      trace.node_ids.assign(tc.neurons.begin(), tc.neurons.end());
    }
    trace.interval = std::max<Step>(1, std::llround(tc.interval / dt_));
    trace.next_row_step = trace.interval - 1;

    // Which recorded neurons live here, and which thread integrates each.
    const std::size_t p = trace.population;
    const Gid first = populations_[p].first;
    const std::vector<Gid>& mine = network.local_gids[p];
    trace.probes.resize(static_cast<std::size_t>(network.n_threads));
    for (std::uint32_t c = 0; c < trace.node_ids.size(); ++c) {
      const Gid gid = first + static_cast<Gid>(trace.node_ids[c]);
      const auto it = std::lower_bound(mine.begin(), mine.end(), gid);
      if (it == mine.end() || *it != gid) continue;
      const auto local = static_cast<std::uint32_t>(it - mine.begin());
      const auto column = static_cast<std::uint32_t>(trace.my_columns.size());
      trace.my_columns.push_back(c);
      const std::uint32_t rank_local = network.population_offset[p] + local;
      for (int t = 0; t < network.n_threads; ++t) {
        const IndexRange& range = network.thread_ranges[static_cast<std::size_t>(t)][p];
        if (rank_local >= range.begin && rank_local < range.end)
          trace.probes[static_cast<std::size_t>(t)].push_back({column, local});
      }
    }
    // Enough rows for one flush period plus the partial epoch on either side.
    const double flush_steps = config.output.flush_interval / dt_;
    const auto capacity =
        static_cast<std::size_t>(std::ceil(flush_steps / static_cast<double>(trace.interval))) +
        static_cast<std::size_t>(network.min_delay / trace.interval) + 2;
    trace.values.assign(trace.variables.size(),
                        std::vector<double>(capacity * trace.my_columns.size(), 0.0));
    trace_of_population_[p] = static_cast<int>(traces_.size());
    traces_.push_back(std::move(trace));
  }
}

void Recorder::open(ResultSink& sink) {
  if (record_spikes_) {
    std::vector<std::string> names;
    std::vector<std::uint64_t> sizes;
    for (const auto& p : populations_) {
      names.push_back(p.name);
      sizes.push_back(p.size);
    }
    sink.create_spike_groups(names, sizes);
  }
  for (Trace& trace : traces_) {
    trace.handle =
        sink.create_traces(populations_[trace.population].name, trace.variables, trace.node_ids,
                           static_cast<double>(trace.interval) * dt_, trace.my_columns);
  }
}

void Recorder::sample(int thread, std::size_t population, Step step) {
  const int index = trace_of_population_[population];
  if (index < 0) return;
  Trace& trace = traces_[static_cast<std::size_t>(index)];
  if ((step + 1) % trace.interval != 0) return;
  const auto row = static_cast<std::size_t>((step - trace.next_row_step) / trace.interval);
  const std::size_t stride = trace.my_columns.size();
  for (std::size_t v = 0; v < trace.views.size(); ++v) {
    const RecordableView& view = trace.views[v];
    double* out = trace.values[v].data() + row * stride;
    for (const Probe& probe : trace.probes[static_cast<std::size_t>(thread)])
      out[probe.column] = view.at(probe.neuron);
  }
}

void Recorder::start_at(Step step) {
  flushed_until_ = step;
  // The first sampled step at or after `step`: samples are taken at the end of steps s with
  // (s + 1) % interval == 0, as in a run from 0.
  for (Trace& trace : traces_)
    trace.next_row_step = (step + trace.interval) / trace.interval * trace.interval - 1;
}

void Recorder::add_spikes(std::span<const Spike> spikes) {
  if (record_spikes_) spikes_.insert(spikes_.end(), spikes.begin(), spikes.end());
}

void Recorder::flush(ResultSink& sink, Step last_step, Communicator& comm) {
  if (record_spikes_) {
    // Slice r of the window [flushed_until_, last_step] goes to rank r: (step, gid, offset bits).
    const auto ranks = static_cast<std::uint64_t>(comm.size());
    const auto first = static_cast<std::uint64_t>(flushed_until_);
    const std::uint64_t width = static_cast<std::uint64_t>(last_step + 1) - first;
    auto slice_of = [&](Step step) {
      return static_cast<std::size_t>((static_cast<std::uint64_t>(step) - first) * ranks / width);
    };
    std::vector<std::uint64_t> counts(ranks, 0);
    for (const Spike& s : spikes_) counts[slice_of(s.step)] += 3;
    std::vector<std::uint64_t> at(ranks, 0);
    for (std::size_t r = 1; r < ranks; ++r) at[r] = at[r - 1] + counts[r - 1];
    std::vector<std::uint32_t> send(spikes_.size() * 3);
    for (const Spike& s : spikes_) {
      std::uint64_t& i = at[slice_of(s.step)];
      send[i++] = static_cast<std::uint32_t>(static_cast<std::uint64_t>(s.step) - first);
      send[i++] = s.gid;
      send[i++] = std::bit_cast<std::uint32_t>(s.offset);
    }
    spikes_.clear();
    const std::vector<std::uint32_t> mine = comm.alltoallv(send, counts);
    std::vector<std::vector<std::pair<double, std::uint64_t>>> rows(populations_.size());
    for (std::size_t i = 0; i < mine.size(); i += 3) {
      const Step step = flushed_until_ + static_cast<Step>(mine[i]);
      const Gid gid = mine[i + 1];
      const float offset = std::bit_cast<float>(mine[i + 2]);
      // Populations are few and laid out in gid order: a short scan finds the owner.
      std::size_t p = 0;
      while (gid >= populations_[p].first + populations_[p].size) ++p;
      rows[p].emplace_back((static_cast<double>(step) + static_cast<double>(offset)) * dt_,
                           gid - populations_[p].first);
    }
    for (std::size_t p = 0; p < populations_.size(); ++p) {
      std::sort(rows[p].begin(), rows[p].end());
      std::vector<std::uint64_t> ids(rows[p].size());
      std::vector<double> times(rows[p].size());
      for (std::size_t k = 0; k < rows[p].size(); ++k) {
        times[k] = rows[p][k].first;
        ids[k] = rows[p][k].second;
      }
      sink.append_spikes(p, ids, times);
    }
  }
  flushed_until_ = last_step + 1;
  for (Trace& trace : traces_) {
    std::vector<double> times;
    for (Step s = trace.next_row_step; s <= last_step; s += trace.interval)
      times.push_back(static_cast<double>(s + 1) * dt_);
    const std::size_t rows = times.size();
    std::vector<std::vector<double>> values(trace.variables.size());
    for (std::size_t v = 0; v < values.size(); ++v)
      values[v].assign(
          trace.values[v].begin(),
          trace.values[v].begin() + static_cast<std::ptrdiff_t>(rows * trace.my_columns.size()));
    sink.append_traces(trace.handle, times, values);
    trace.next_row_step += static_cast<Step>(rows) * trace.interval;
  }
}

}  // namespace myelin
