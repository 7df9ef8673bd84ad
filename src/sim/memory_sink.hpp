#pragma once

// A ResultSink that keeps this rank's rows in memory: a run tested without a file, and the
// dry run (which has no other ranks to write a file with). Each rank holds what it appended;
// append by append, the ranks' rows in rank order are what the file would hold.

#include <cstdint>
#include <string>
#include <vector>

#include "sim/result_sink.hpp"

namespace myelin {

class MemorySink final : public ResultSink {
 public:
  struct Spikes {
    std::string population;
    std::uint64_t size = 0;
    std::vector<std::uint64_t> node_ids;
    std::vector<double> timestamps_ms;
  };
  struct Traces {
    std::string population;
    std::vector<std::string> variables;
    std::vector<std::uint64_t> node_ids;
    double interval_ms = 0.0;
    std::vector<std::uint32_t> my_columns;
    std::vector<double> times_ms;
    std::vector<std::vector<double>> values;  // [variable] (sample, my column)
  };
  struct Weights {
    WeightRecording header;                 // without rows
    std::vector<double> snapshot_times;     // [ms]
    std::vector<double> my_weights;         // (snapshot, my column)
    std::vector<double> stats_times, mean;  // statistics rows (the same on every rank)
  };

  void create_spike_groups(const std::vector<std::string>& populations,
                           const std::vector<std::uint64_t>& sizes) override;
  void append_spikes(std::size_t population, std::span<const std::uint64_t> node_ids,
                     std::span<const double> timestamps_ms) override;
  std::size_t create_traces(const std::string& population,
                            const std::vector<std::string>& variables,
                            const std::vector<std::uint64_t>& node_ids, double interval_ms,
                            const std::vector<std::uint32_t>& my_columns) override;
  void append_traces(std::size_t handle, std::span<const double> times_ms,
                     const std::vector<std::vector<double>>& values) override;
  std::size_t create_weights(const WeightRecording& header) override;
  void append_weights(std::size_t handle, const WeightRecording& rows) override;
  void write_run_stats(const RunStats& stats) override { stats_ = stats; }
  void flush(bool /*settle*/ = false) override { ++flushes_; }
  // Counted as a flush: a file's mark_complete syncs what the last epoch appended.
  void mark_complete() override {
    ++flushes_;
    complete_ = true;
  }

  const std::vector<Spikes>& spikes() const { return spikes_; }
  const std::vector<Traces>& traces() const { return traces_; }
  const std::vector<Weights>& weights() const { return weights_; }
  const RunStats& stats() const { return stats_; }
  std::uint64_t flushes() const { return flushes_; }
  bool complete() const { return complete_; }

 private:
  std::vector<Spikes> spikes_;
  std::vector<Traces> traces_;
  std::vector<Weights> weights_;
  RunStats stats_;
  std::uint64_t flushes_ = 0;
  bool complete_ = false;
};

}  // namespace myelin
