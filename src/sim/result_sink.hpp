#pragma once

// Where a run's results go. The simulation writes to a ResultSink and never knows what is
// behind it: the one HDF5 file (io/result_file.hpp), memory (sim/memory_sink.hpp: tests and
// dry runs), or a later format (NWB) without a change to the loop. Every call is collective
// over the run's communicator: all ranks call it in the same order, each passing its own rows.

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace myelin {

// What is known when the run ends. Arrays are indexed by rank and identical on every rank
// (the caller gathers them).
struct RunStats {
  std::vector<std::string> phase_names;          // build, update, exchange, deliver, output, ...
  std::vector<std::vector<double>> phase_times;  // [rank][phase] seconds
  std::vector<double> peak_rss_mb;               // [rank]
  std::uint64_t total_spikes = 0;
  double wall_time = 0.0;                   // [s]
  std::vector<double> exchange_wait_s;      // [rank] s
  std::vector<double> exchange_transfer_s;  // [rank] s
  std::vector<double> bytes_sent;           // [rank] over the run
  double bytes_per_epoch = 0.0;             // received per rank per epoch (mean)
  std::uint64_t epochs = 0;
  std::vector<double> exchange_hidden_s;  // [rank] s in flight while computing
  std::uint64_t spikes_sent = 0;          // spikes on the wire, once per destination rank
  std::string exchange;                   // algorithm
  bool overlap = false;
  std::uint64_t epoch_steps = 0;
};

// One plastic projection's weight recording: the header (create_weights) and rows buffered
// since the last flush (append_weights).
struct WeightRecording {
  std::string projection;
  std::string source_population;
  std::string target_population;
  std::string rule;                                                     // additive, multiplicative
  std::string pairing;                                                  // all_to_all, nearest
  double A_plus = 0.0, A_minus = 0.0, tau_plus = 0.0, tau_minus = 0.0;  // [ms] for taus
  double w_min = 0.0, w_max = 0.0, dendritic_delay = 0.0;               // [ms] for the delay
  // Synapses are columns in canonical (target, source, key) order; each rank passes its own
  // columns (my_columns, ascending) and their source, target and delay.
  std::uint64_t n_columns = 0;                // over all ranks
  std::vector<std::uint64_t> source, target;  // [my column] population-local
  std::vector<double> delay_ms;               // [my column]
  std::vector<double> snapshot_times;         // [ms]
  std::vector<std::uint32_t> my_columns;      // this rank's synapses, ascending
  std::vector<double> my_weights;             // [snapshot][my column]
  std::vector<double> stats_times;            // [ms], the same on every rank, as the stats:
  std::vector<double> mean, sd, min, max;     // [stats time]
  std::vector<std::uint64_t> histogram;       // [stats time][bin], bins over [w_min, w_max]
  std::uint32_t bins = 0;
};

class ResultSink {
 public:
  virtual ~ResultSink() = default;

  // One spike group per population: `populations` names, `sizes` neurons.
  virtual void create_spike_groups(const std::vector<std::string>& populations,
                                   const std::vector<std::uint64_t>& sizes) = 0;
  // This rank's rows of population `population`, placed after the rows of lower ranks; rows
  // are in file order (time, then id) across the ranks' slices.
  virtual void append_spikes(std::size_t population, std::span<const std::uint64_t> node_ids,
                             std::span<const double> timestamps_ms) = 0;
  // A trace recording of `variables` of `node_ids` (population-local, ascending) every
  // `interval_ms`; `my_columns` index node_ids, each column on exactly one rank. Returns a
  // handle for append_traces.
  virtual std::size_t create_traces(const std::string& population,
                                    const std::vector<std::string>& variables,
                                    const std::vector<std::uint64_t>& node_ids, double interval_ms,
                                    const std::vector<std::uint32_t>& my_columns) = 0;
  // `times_ms.size()` samples (the same on every rank); values[v]: (sample, my column).
  virtual void append_traces(std::size_t handle, std::span<const double> times_ms,
                             const std::vector<std::vector<double>>& values) = 0;
  virtual std::size_t create_weights(const WeightRecording& header) = 0;
  virtual void append_weights(std::size_t handle, const WeightRecording& rows) = 0;
  virtual void write_run_stats(const RunStats& stats) = 0;
  // Everything appended so far is durable (a file: on disk and readable after a kill). A file
  // says which rows a killed run may trust from the next flush on, or at once with `settle`
  // (a checkpoint: a continuation reads back to it), at the cost of a second sync.
  virtual void flush(bool settle = false) = 0;
  // The run ended normally: the results are complete (a file: flushed first, so the last epoch's
  // rows need no flush of their own).
  virtual void mark_complete() = 0;
};

}  // namespace myelin
