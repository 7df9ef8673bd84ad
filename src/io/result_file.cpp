#include "io/result_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "comm/mpi_communicator.hpp"
#include "io/h5_handle.hpp"
#include "io/h5_write.hpp"
#include "io/output_commit.hpp"
#include "io/result_file_impl.hpp"
#include "myelin/errors.hpp"

namespace myelin {

namespace {

// Plain POSIX on one rank, so that every rank learns the same verdict before the collective
// H5Fcreate (which fails rank by rank and may leave the others waiting).
int probe_creatable(const std::string& path) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return errno;
  ::close(fd);
  return 0;
}

std::string join(const std::vector<std::string>& parts, const char* separator) {
  std::string out;
  for (std::size_t i = 0; i < parts.size(); ++i) out += (i == 0 ? "" : separator) + parts[i];
  return out;
}

std::string units_of(const std::string& variable) {
  if (variable == "V_m") return "mV";
  if (variable.starts_with("I_")) return "pA";
  if (variable.starts_with("g_")) return "nS";
  return "";
}

}  // namespace

ResultFile::ResultFile(const std::string& path, Communicator& comm)
    : impl_(std::make_unique<Impl>()) {
  h5_silence_errors();
  Impl& f = *impl_;
  f.comm = &comm;
  f.native = native_handle(comm);
  f.path = path;
  f.rank = comm.rank();
  const auto cannot_create = [&](const std::string& reason) {
    return input_error("output.file", path, "cannot create (" + reason + ")");
  };

  const int error = f.rank == 0 ? probe_creatable(path) : 0;
  const std::string problem = comm.broadcast(error != 0 ? std::strerror(error) : "", 0);
  if (!problem.empty()) throw cannot_create(problem);

  H5Handle access(H5Pcreate(H5P_FILE_ACCESS), H5Pclose, "H5Pcreate", path);
  h5_check(H5Pset_fapl_mpio(access, f.native, MPI_INFO_NULL), "H5Pset_fapl_mpio", path);
  hold_metadata_until_flush(access, path);
  const hid_t id = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, access);
  const std::string reason = id < 0 ? h5_error_reason() : std::string();
  const bool failed = id < 0;
  if (comm.first_failed_rank(failed) >= 0) {
    // Closing is collective and some ranks have nothing to close: a leaked handle on the ranks
    // that succeeded is better than a hang.
    throw cannot_create(failed ? (reason.empty() ? "H5Fcreate failed" : reason)
                               : "failed on another rank");
  }
  f.file = H5Handle(id, H5Fclose, "H5Fcreate", path);

  f.transfer = H5Handle(H5Pcreate(H5P_DATASET_XFER), H5Pclose, "H5Pcreate", path);
  h5_check(H5Pset_dxpl_mpio(f.transfer, H5FD_MPIO_COLLECTIVE), "H5Pset_dxpl_mpio", path);
  f.meta = create_group(f.file, "meta");
  write_attribute(f.meta, "complete", 0);
  create_group(f.file, "spikes");
  create_group(f.file, "traces");
  create_group(f.file, "projections");
}

// Closes whatever is open (collectively) without marking the file complete; never throws.
ResultFile::~ResultFile() = default;

void ResultFile::write_run_info(const RunInfo& info) {
  impl_->require_open("write_run_info");
  if (impl_->appending) {
    append_run_info(info);
    return;
  }
  const hid_t meta = impl_->meta;
  write_attribute(meta, "config", info.config_text);
  write_attribute(meta, "overrides", join(info.overrides, "\n"));
  write_attribute(meta, "seed", info.seed);
  write_attribute(meta, "version", info.version);
  write_attribute(meta, "git_sha", info.git_sha);
  write_attribute(meta, "ranks", info.ranks);
  write_attribute(meta, "threads", info.threads);
  write_attribute(meta, "dt", info.dt);
  write_attribute(meta, "t_stop", info.t_stop);
  write_attribute(meta, "min_delay", info.min_delay);
  write_attribute(meta, "job_id", info.job_id);
  write_attribute(meta, "launcher", info.launcher);
  write_attribute(meta, "t_start", info.t_start);
  write_attribute(meta, "checkpoint", info.checkpoint);
  write_attribute(meta, "resumed_from", info.resumed_from);
}

void ResultFile::write_network(const std::vector<ProjectionSummary>& projections,
                               const PartitionSummary& partition) {
  Impl& f = *impl_;
  f.require_open("write_network");
  const H5Handle group = open_group(f.file, "projections");
  // Appending: the projections are the file's already (the same network); the split is new.
  for (const ProjectionSummary& p : f.appending ? std::vector<ProjectionSummary>{} : projections) {
    const H5Handle g = create_group(group, p.name);
    write_attribute(g, "n_synapses", p.n_synapses);
    if (p.clustering) {
      write_attribute(g, "clustering", *p.clustering);
      write_attribute(g, "clustering_vertices", p.clustering_vertices);
    }
    if (p.mean_path_length) {
      write_attribute(g, "mean_path_length", *p.mean_path_length);
      write_attribute(g, "path_length_sources", p.path_length_sources);
    }
  }
  remove_if_present(f.meta, "neurons_per_rank");
  remove_if_present(f.meta, "synapses_per_rank");
  write_replicated<std::uint64_t>(f.meta, "neurons_per_rank", partition.neurons_per_rank,
                                  {partition.neurons_per_rank.size()}, f.rank, f.transfer);
  write_replicated<std::uint64_t>(f.meta, "synapses_per_rank", partition.synapses_per_rank,
                                  {partition.synapses_per_rank.size()}, f.rank, f.transfer);
  write_attribute(f.meta, "edge_cut", partition.edge_cut);
  write_attribute(f.meta, "total_synapses", partition.total_synapses);
}

void ResultFile::create_spike_groups(const std::vector<std::string>& populations,
                                     const std::vector<std::uint64_t>& sizes) {
  Impl& f = *impl_;
  f.require_open("create_spike_groups");
  if (populations.size() != sizes.size())
    throw std::invalid_argument("ResultFile::create_spike_groups: one size per population");
  if (f.appending) {
    f.open_spike_groups(populations, sizes);
    return;
  }
  const H5Handle spikes = open_group(f.file, "spikes");
  for (std::size_t p = 0; p < populations.size(); ++p) {
    H5Handle g = create_group(spikes, populations[p]);
    write_attribute(g, "sorting", "by_time");
    write_attribute(g, "size", sizes[p]);
    write_attribute(g, "intact_rows", std::uint64_t{0});
    Impl::Spikes sets;
    sets.node_ids = create_extendable(g, "node_ids", H5T_NATIVE_UINT64, std::nullopt);
    sets.timestamps = create_extendable(g, "timestamps", H5T_NATIVE_DOUBLE, std::nullopt);
    write_attribute(sets.timestamps, "units", "ms");
    sets.group = std::move(g);
    f.spikes.push_back(std::move(sets));
  }
}

void ResultFile::append_spikes(std::size_t population, std::span<const std::uint64_t> node_ids,
                               std::span<const double> timestamps_ms) {
  Impl& f = *impl_;
  f.require_open("append_spikes");
  if (population >= f.spikes.size())
    throw std::out_of_range("ResultFile::append_spikes: no spike group " +
                            std::to_string(population));
  const bool ok = node_ids.size() == timestamps_ms.size();
  // One reduction gives both the total and the agreement on arguments.
  const std::uint64_t mine = ok ? node_ids.size() : 0;
  const std::vector<std::uint64_t> global = f.comm->sum_each({mine, ok ? 0U : 1U});
  if (global[1] != 0)
    throw std::invalid_argument(
        "ResultFile::append_spikes: node_ids and timestamps differ in length on " +
        std::string(ok ? "another rank" : "this rank"));
  const std::uint64_t offset = f.comm->exclusive_sum(mine);
  const std::uint64_t total = global[0];
  if (total == 0) return;
  Impl::Spikes& sets = f.spikes[population];
  f.attempt([&] {
    append_rows(sets.node_ids, H5T_NATIVE_UINT64, sets.rows, total, offset, mine, node_ids.data(),
                f.transfer);
  });
  f.attempt([&] {
    append_rows(sets.timestamps, H5T_NATIVE_DOUBLE, sets.rows, total, offset, mine,
                timestamps_ms.data(), f.transfer);
  });
  sets.rows += total;
}

std::size_t ResultFile::create_traces(const std::string& population,
                                      const std::vector<std::string>& variables,
                                      const std::vector<std::uint64_t>& node_ids,
                                      double interval_ms,
                                      const std::vector<std::uint32_t>& my_columns) {
  Impl& f = *impl_;
  f.require_open("create_traces");
  for (const std::string& v : variables)
    if (v == "node_ids" || v == "times")
      throw std::invalid_argument("ResultFile::create_traces: variable name " + v + " is reserved");
  // Every column must belong to exactly one rank, or the file would hold unwritten values.
  const bool ok = strictly_ascending_below(my_columns, node_ids.size());
  const std::vector<std::uint64_t> global = f.comm->sum_each({my_columns.size(), ok ? 0U : 1U});
  agree_arguments(*f.comm, global[1] == 0 && global[0] == node_ids.size(), "create_traces");
  if (f.appending) return f.open_traces(population, variables, node_ids, interval_ms, my_columns);

  const H5Handle traces = open_group(f.file, "traces");
  H5Handle g = create_group(traces, population);
  write_attribute(g, "interval", interval_ms);
  write_attribute(g, "intact_rows", std::uint64_t{0});
  write_replicated<std::uint64_t>(g, "node_ids", node_ids, {node_ids.size()}, f.rank, f.transfer);
  Impl::Traces sets;
  sets.columns = node_ids.size();
  sets.my_columns = my_columns;
  for (const std::string& v : variables) {
    sets.variables.push_back(create_extendable(g, v, H5T_NATIVE_DOUBLE, sets.columns));
    write_attribute(sets.variables.back(), "units", units_of(v));
  }
  sets.times = create_extendable(g, "times", H5T_NATIVE_DOUBLE, std::nullopt);
  write_attribute(sets.times, "units", "ms");
  sets.group = std::move(g);
  f.traces.push_back(std::move(sets));
  return f.traces.size() - 1;
}

void ResultFile::append_traces(std::size_t handle, std::span<const double> times_ms,
                               const std::vector<std::vector<double>>& values) {
  Impl& f = *impl_;
  f.require_open("append_traces");
  if (handle >= f.traces.size())
    throw std::out_of_range("ResultFile::append_traces: no trace handle " + std::to_string(handle));
  Impl::Traces& sets = f.traces[handle];
  const auto rows = static_cast<std::int64_t>(times_ms.size());
  bool ok = values.size() == sets.variables.size();
  for (std::size_t v = 0; v < values.size() && ok; ++v)
    ok = values[v].size() == times_ms.size() * sets.my_columns.size();
  // The maxima of rows and of -rows agree only when every rank passes the same number of rows.
  const std::vector<std::int64_t> global = f.comm->max_each({rows, -rows, ok ? 0 : 1});
  agree_arguments(*f.comm, global[2] == 0 && global[0] == -global[1], "append_traces");
  if (rows == 0) return;
  const auto n = static_cast<hsize_t>(rows);
  // The sample times are the same on every rank: rank 0 writes them.
  f.attempt([&] {
    append_rows(sets.times, H5T_NATIVE_DOUBLE, sets.rows, n, 0, f.rank == 0 ? n : 0,
                times_ms.data(), f.transfer);
  });
  for (std::size_t v = 0; v < sets.variables.size(); ++v)
    f.attempt([&] {
      append_columns(sets.variables[v], sets.rows, n, sets.columns, sets.my_columns,
                     values[v].data(), f.transfer);
    });
  sets.rows += n;
}

void ResultFile::write_run_stats(const RunStats& stats) {
  Impl& f = *impl_;
  f.require_open("write_run_stats");
  // Appending: this segment's statistics replace those of an earlier one.
  for (const char* name : {"phase_times", "peak_rss_mb", "exchange_wait_s", "exchange_transfer_s",
                           "bytes_sent", "exchange_hidden_s"})
    remove_if_present(f.meta, name);
  std::vector<double> flat;
  for (const auto& row : stats.phase_times) {
    if (row.size() != stats.phase_names.size())
      throw std::invalid_argument("ResultFile::write_run_stats: one time per phase per rank");
    flat.insert(flat.end(), row.begin(), row.end());
  }
  const H5Handle phases = write_replicated<double>(
      f.meta, "phase_times", flat, {stats.phase_times.size(), stats.phase_names.size()}, f.rank,
      f.transfer);
  write_attribute(phases, "phases", join(stats.phase_names, ","));
  write_replicated<double>(f.meta, "peak_rss_mb", stats.peak_rss_mb, {stats.peak_rss_mb.size()},
                           f.rank, f.transfer);
  write_attribute(f.meta, "total_spikes", stats.total_spikes);
  write_attribute(f.meta, "wall_time", stats.wall_time);
  for (const auto& [name, values] : {std::pair{"exchange_wait_s", &stats.exchange_wait_s},
                                     std::pair{"exchange_transfer_s", &stats.exchange_transfer_s},
                                     std::pair{"bytes_sent", &stats.bytes_sent},
                                     std::pair{"exchange_hidden_s", &stats.exchange_hidden_s}}) {
    if (values->size() != stats.phase_times.size())
      throw std::invalid_argument(std::string("ResultFile::write_run_stats: one ") + name +
                                  " per rank");
    write_replicated<double>(f.meta, name, *values, {values->size()}, f.rank, f.transfer);
  }
  write_attribute(f.meta, "bytes_per_epoch", stats.bytes_per_epoch);
  write_attribute(f.meta, "epochs", stats.epochs);
  write_attribute(f.meta, "spikes_sent", stats.spikes_sent);
  write_attribute(f.meta, "exchange", std::string_view(stats.exchange));
  write_attribute(f.meta, "overlap", stats.overlap ? 1 : 0);
  write_attribute(f.meta, "epoch_steps", stats.epoch_steps);
}

void ResultFile::Impl::agree_on_writes() {
  const bool failed_here = !write_failure.empty();
  const int first = comm->first_failed_rank(failed_here);
  if (first < 0) return;
  throw IoError(comm->broadcast(
      failed_here ? describe_write_failure(path, write_failure) : std::string(), first));
}

void ResultFile::Impl::record_intact_rows() {
  for_each_row_group([&](const H5Handle& group, hsize_t /*rows*/, IntactRows& intact) {
    if (intact.recorded == intact.durable) return;
    attempt([&] { write_attribute(group, "intact_rows", std::uint64_t{intact.durable}); });
    intact.recorded = intact.durable;
  });
}

void ResultFile::Impl::reserve_end_of_file() {
  if (rank == 0) {
    attempt([&] {
      const int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
      struct stat info {};
      bool ok = fd >= 0 && ::fstat(fd, &info) == 0;
      // Unchanged since the last reservation: the flush after it did not trim the file, so
      // nothing was allocated since, and the reservation still holds.
      if (ok && info.st_size != reserved_end) {
        reserved_end = info.st_size + end_of_file_reserve;
        ok = ::ftruncate(fd, reserved_end) == 0;
      }
      const int error = errno;
      if (fd >= 0) ::close(fd);
      if (!ok)
        throw std::runtime_error(std::string("reserving the end of file: ") + std::strerror(error));
    });
  }
  // No rank writes the flush's metadata before the file reaches past its end.
  comm->barrier();
}

void ResultFile::Impl::release_end_of_file_reserve() {
  comm->barrier();  // every rank's part of the close is on disk
  if (rank != 0 || reserved_end < 0) return;
  haddr_t end = 0;
  {
    const hid_t id = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
    if (id < 0) return;  // the file stays readable, only longer than it needs to be
    const bool known = H5Fget_eoa(id, &end) >= 0;
    H5Fclose(id);
    if (!known) return;
  }
  struct stat info {};
  if (::stat(path.c_str(), &info) == 0 && static_cast<haddr_t>(info.st_size) > end)
    static_cast<void>(::truncate(path.c_str(), static_cast<off_t>(end)));
}

void ResultFile::Impl::sync() {
  reserve_end_of_file();
  attempt([&] { h5_check(H5Fflush(file, H5F_SCOPE_GLOBAL), "H5Fflush", path); });
  // Only a sync that succeeded on every rank makes the rows durable: otherwise this throws, and
  // the file keeps the counts of the last good one.
  agree_on_writes();
  for_each_row_group(
      [](const H5Handle&, hsize_t rows, IntactRows& intact) { intact.durable = rows; });
}

void ResultFile::flush(bool settle) {
  Impl& f = *impl_;
  f.require_open("flush");
  // The counts of the previous flush go out with this one's data: whatever order HDF5 writes
  // them in, a kill leaves counts that the disk holds.
  f.record_intact_rows();
  f.sync();
  if (settle) {
    f.record_intact_rows();
    f.sync();
  }
}

void ResultFile::close_incomplete(const std::string& reason) {
  Impl& f = *impl_;
  f.require_open("close_incomplete");
  f.attempt([&] { write_attribute(f.meta, "stop_reason", reason); });
  flush(true);
  f.traces.clear();
  f.spikes.clear();
  f.weights.clear();
  f.meta.reset();
  f.transfer.reset();
  f.file.close(f.path);
  f.release_end_of_file_reserve();
}

void ResultFile::mark_complete() {
  Impl& f = *impl_;
  f.require_open("mark_complete");
  // Data first, then the flag, so a crash in between leaves complete = 0.
  flush(true);
  write_attribute(f.meta, "complete", 1);
  f.traces.clear();
  f.spikes.clear();
  f.weights.clear();
  f.meta.reset();
  f.transfer.reset();
  f.file.close(f.path);
  f.release_end_of_file_reserve();
}

}  // namespace myelin
