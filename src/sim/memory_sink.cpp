#include "sim/memory_sink.hpp"

#include <stdexcept>

namespace myelin {

namespace {

template <class T>
T& at(std::vector<T>& list, std::size_t handle, const char* call) {
  if (handle >= list.size())
    throw std::out_of_range(std::string("MemorySink::") + call + ": no handle " +
                            std::to_string(handle));
  return list[handle];
}

}  // namespace

void MemorySink::create_spike_groups(const std::vector<std::string>& populations,
                                     const std::vector<std::uint64_t>& sizes) {
  if (populations.size() != sizes.size())
    throw std::invalid_argument("MemorySink::create_spike_groups: one size per population");
  for (std::size_t p = 0; p < populations.size(); ++p)
    spikes_.push_back({populations[p], sizes[p], {}, {}});
}

void MemorySink::append_spikes(std::size_t population, std::span<const std::uint64_t> node_ids,
                               std::span<const double> timestamps_ms) {
  if (node_ids.size() != timestamps_ms.size())
    throw std::invalid_argument("MemorySink::append_spikes: node_ids and timestamps differ");
  Spikes& s = at(spikes_, population, "append_spikes");
  s.node_ids.insert(s.node_ids.end(), node_ids.begin(), node_ids.end());
  s.timestamps_ms.insert(s.timestamps_ms.end(), timestamps_ms.begin(), timestamps_ms.end());
}

std::size_t MemorySink::create_traces(const std::string& population,
                                      const std::vector<std::string>& variables,
                                      const std::vector<std::uint64_t>& node_ids,
                                      double interval_ms,
                                      const std::vector<std::uint32_t>& my_columns) {
  traces_.push_back({population,
                     variables,
                     node_ids,
                     interval_ms,
                     my_columns,
                     {},
                     std::vector<std::vector<double>>(variables.size())});
  return traces_.size() - 1;
}

void MemorySink::append_traces(std::size_t handle, std::span<const double> times_ms,
                               const std::vector<std::vector<double>>& values) {
  Traces& t = at(traces_, handle, "append_traces");
  if (values.size() != t.variables.size())
    throw std::invalid_argument("MemorySink::append_traces: one row set per variable");
  t.times_ms.insert(t.times_ms.end(), times_ms.begin(), times_ms.end());
  for (std::size_t v = 0; v < values.size(); ++v)
    t.values[v].insert(t.values[v].end(), values[v].begin(), values[v].end());
}

std::size_t MemorySink::create_weights(const WeightRecording& header) {
  weights_.push_back({header, {}, {}, {}, {}});
  return weights_.size() - 1;
}

void MemorySink::append_weights(std::size_t handle, const WeightRecording& rows) {
  Weights& w = at(weights_, handle, "append_weights");
  w.snapshot_times.insert(w.snapshot_times.end(), rows.snapshot_times.begin(),
                          rows.snapshot_times.end());
  w.my_weights.insert(w.my_weights.end(), rows.my_weights.begin(), rows.my_weights.end());
  w.stats_times.insert(w.stats_times.end(), rows.stats_times.begin(), rows.stats_times.end());
  w.mean.insert(w.mean.end(), rows.mean.begin(), rows.mean.end());
}

}  // namespace myelin
