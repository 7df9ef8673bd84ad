#pragma once

// One HDF5 result file, opened by every rank of a communicator and written collectively
// (MPI-IO). Every call below is collective: all ranks call it in the same order with the same
// shared arguments; rank-specific arguments are marked "this rank's". Layout: README "Output".
// HDF5 failures throw std::runtime_error naming the HDF5 call, the object and HDF5's reason.

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "comm/communicator.hpp"
#include "network/local_network.hpp"
#include "sim/result_sink.hpp"

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

// `myelin resume --append`: an existing result file to continue, cut back to `t_ms` (the
// checkpoint's time) when it is opened.
struct AppendAt {
  double t_ms = 0.0;
};

// What an existing result file says about itself (read serially by one process, before an
// append opens it collectively).
struct ResultFileHeader {
  std::string problem;  // why it is not a Myelin result file that can be read ("" when it is)
  bool complete = false;
  std::string config_text;
  std::string overrides;  // newline-separated, as /meta overrides
  std::string version;
  double t_start = 0.0;
  double t_stop = 0.0;
  double dt = 0.0;
};
ResultFileHeader read_result_header(const std::string& path);

class ResultFile final : public ResultSink {
 public:
  // Creates (truncates) `path`. Writes /meta attribute complete = 0 at once. A path that cannot
  // be created throws InputError `output.file = <path>: cannot create (<reason>)` on every rank.
  // `comm` must outlive the file.
  ResultFile(const std::string& path, Communicator& comm);
  // Opens the existing result file `path` for read-write (collective, MPI-IO) to continue it:
  // every row dataset is cut back to `at.t_ms` (spikes and trace samples with t > t_ms and
  // weight rows with t >= t_ms go: the rows an uninterrupted run writes after that time, which
  // the continuation writes again), /meta complete = 0 and stop_reason is removed. Then the
  // create_* calls open the existing datasets, check that they match, and continue at their row
  // counts; write_run_info keeps the original run's information and records the continuation
  // (/meta appends, appended_at, appended_from); write_network and write_run_stats replace the
  // per-split information with this segment's. InputError `--append = <path>: <reason>` on
  // every rank when the file does not open or does not have the layout the run writes.
  ResultFile(const std::string& path, Communicator& comm, AppendAt at);
  // Collective: closes whatever is open without marking the file complete; never throws.
  ~ResultFile() override;
  ResultFile(const ResultFile&) = delete;
  ResultFile& operator=(const ResultFile&) = delete;

  void write_run_info(const RunInfo& info);
  void write_network(const std::vector<ProjectionSummary>& projections,
                     const PartitionSummary& partition);

  // Creates /spikes/<name>/{node_ids,timestamps}, empty and extendable, for each population.
  void create_spike_groups(const std::vector<std::string>& populations,
                           const std::vector<std::uint64_t>& sizes) override;
  // Appends to population `population`: the rows this rank passes, placed after the rows of
  // lower ranks. Rows must already be in file order (time, then id) across the ranks' slices.
  // Lengths that differ on any rank throw std::invalid_argument on every rank.
  void append_spikes(std::size_t population, std::span<const std::uint64_t> node_ids,
                     std::span<const double> timestamps_ms) override;

  // Creates /traces/<population>/{<variable>..., node_ids, times}. `node_ids` are all recorded
  // neurons (population-local, ascending); `my_columns` are the indices into node_ids that
  // this rank samples (ascending); each column belongs to exactly one rank, else every rank
  // throws std::invalid_argument. Returns a handle for append_traces.
  std::size_t create_traces(const std::string& population,
                            const std::vector<std::string>& variables,
                            const std::vector<std::uint64_t>& node_ids, double interval_ms,
                            const std::vector<std::uint32_t>& my_columns) override;
  // Appends `times_ms.size()` samples. `values[v]` holds variable v for this rank's columns,
  // row-major (sample, column). `times_ms` is the same on every rank.
  void append_traces(std::size_t handle, std::span<const double> times_ms,
                     const std::vector<std::vector<double>>& values) override;

  // Creates /weights/<projection> with (source, target, delay) and empty, extendable snapshot and
  // statistics datasets; returns a handle for append_weights.
  std::size_t create_weights(const WeightRecording& header) override;
  // Appends the snapshot rows (each rank its columns) and statistics rows (the same on every
  // rank) that `rows` holds.
  void append_weights(std::size_t handle, const WeightRecording& rows) override;

  void write_run_stats(const RunStats& stats) override;
  // Writes HDF5's metadata (superblock, object headers, chunk indices) and data to the file, so
  // that a process killed after this point leaves a file that reads back to here (without it,
  // nothing but raw data reaches the disk before the file is closed: a killed run's file started
  // with zero bytes). Also the point where the ranks agree on failed writes: when any rank's
  // write failed since the last flush, every rank throws IoError (`cannot write <file>: <OS
  // reason>`).
  // Each spike, trace and weight group's attribute `intact_rows` says how many leading rows a
  // killed run's file holds intact in every dataset of the group: a kill *during* H5Fflush can
  // leave the group's datasets at different lengths. It is written before the sync and lags one
  // flush behind; with `settle` it is brought up to date by a second sync before returning.
  void flush(bool settle = false) override;
  // Writes /meta stop_reason (why the run ended early: a blow-up, a signal), flushes and closes
  // the file with complete = 0. Later calls throw std::logic_error.
  void close_incomplete(const std::string& reason);
  // Flushes, sets /meta complete = 1 and closes the file; later calls throw std::logic_error.
  void mark_complete() override;

 private:
  void open_and_cut(double t_ms);
  void append_run_info(const RunInfo& info);
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Reads a result file (serially, any process) and returns a human-readable summary for
// `myelin info`: config origin, ranks x threads, dt, t_stop, complete or not, per population
// spikes and mean rate, traces, projections with metrics. Throws InputError when the file is
// missing or not a Myelin result file.
std::string describe_result_file(const std::string& path);

}  // namespace myelin
