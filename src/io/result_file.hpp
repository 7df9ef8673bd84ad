#pragma once

// One HDF5 result file, opened by every rank of a communicator and written collectively
// (MPI-IO). Every call below is collective: all ranks call it in the same order with the same
// shared arguments; rank-specific arguments are marked "this rank's". Layout: README "Output".
// HDF5 failures throw std::runtime_error naming the HDF5 call, the object and HDF5's reason.

#include <mpi.h>

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "network/local_network.hpp"

namespace myelin {

// What is known when the run starts (written at once, so an incomplete file still says what
// it was).
struct RunInfo {
  std::string config_text;
  std::vector<std::string> overrides;
  std::uint64_t seed = 0;
  std::string version;
  std::string git_sha;
  int ranks = 1;
  int threads = 1;
  double dt = 0.1;           // [ms]
  double t_stop = 0.0;       // [ms]
  double min_delay = 0.0;    // [ms]
  std::string job_id;        // SLURM job id or "none"
  std::string launcher;      // srun, mpirun or direct
  double t_start = 0.0;      // [ms] 0, or the checkpoint time a resumed run starts from
  std::string checkpoint;    // where this run writes checkpoints ("" when it does not)
  std::string resumed_from;  // the checkpoint this run continues ("" for a run from 0)
};

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

class ResultFile {
 public:
  // Creates (truncates) `path`. Writes /meta attribute complete = 0 at once. A path that cannot
  // be created throws InputError `output.file = <path>: cannot create (<reason>)` on every rank.
  ResultFile(const std::string& path, MPI_Comm comm);
  // Collective: closes whatever is open without marking the file complete; never throws.
  ~ResultFile();
  ResultFile(const ResultFile&) = delete;
  ResultFile& operator=(const ResultFile&) = delete;

  void write_run_info(const RunInfo& info);
  void write_network(const std::vector<ProjectionSummary>& projections,
                     const PartitionSummary& partition);

  // Creates /spikes/<name>/{node_ids,timestamps}, empty and extendable, for each population.
  void create_spike_groups(const std::vector<std::string>& populations,
                           const std::vector<std::uint64_t>& sizes);
  // Appends to population `population`: the rows this rank passes, placed after the rows of
  // lower ranks. Rows must already be in file order (time, then id) across the ranks' slices.
  // Lengths that differ on any rank throw std::invalid_argument on every rank.
  void append_spikes(std::size_t population, std::span<const std::uint64_t> node_ids,
                     std::span<const double> timestamps_ms);

  // Creates /traces/<population>/{<variable>..., node_ids, times}. `node_ids` are all recorded
  // neurons (population-local, ascending); `my_columns` are the indices into node_ids that
  // this rank samples (ascending); each column belongs to exactly one rank, else every rank
  // throws std::invalid_argument. Returns a handle for append_traces.
  std::size_t create_traces(const std::string& population,
                            const std::vector<std::string>& variables,
                            const std::vector<std::uint64_t>& node_ids, double interval_ms,
                            const std::vector<std::uint32_t>& my_columns);
  // Appends `times_ms.size()` samples. `values[v]` holds variable v for this rank's columns,
  // row-major (sample, column). `times_ms` is the same on every rank.
  void append_traces(std::size_t handle, std::span<const double> times_ms,
                     const std::vector<std::vector<double>>& values);

  // Creates /weights/<projection> with (source, target, delay) and empty, extendable snapshot and
  // statistics datasets; returns a handle for append_weights.
  std::size_t create_weights(const WeightRecording& header);
  // Appends the snapshot rows (each rank its columns) and statistics rows (the same on every
  // rank) that `rows` holds.
  void append_weights(std::size_t handle, const WeightRecording& rows);

  void write_run_stats(const RunStats& stats);
  // Writes HDF5's metadata (superblock, object headers, chunk indices) and data to the file, so
  // that a process killed after this point leaves a file that reads back to here (without it,
  // nothing but raw data reaches the disk before the file is closed: a killed run's file started
  // with zero bytes). Also the point where the ranks agree on failed writes: when any rank's
  // write failed since the last flush, every rank throws IoError (`cannot write <file>: <OS
  // reason>`).
  void flush();
  // Writes /meta stop_reason (why the run ended early: a blow-up, a signal), flushes and closes
  // the file with complete = 0. Later calls throw std::logic_error.
  void close_incomplete(const std::string& reason);
  // Flushes, sets /meta complete = 1 and closes the file; later calls throw std::logic_error.
  void mark_complete();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Reads a result file (serially, any process) and returns a human-readable summary for
// `myelin info`: config origin, ranks x threads, dt, t_stop, complete or not, per population
// spikes and mean rate, traces, projections with metrics. Throws InputError when the file is
// missing or not a Myelin result file.
std::string describe_result_file(const std::string& path);

}  // namespace myelin
