// `myelin resume --append`: an existing result file opened collectively for read-write, cut
// back to the checkpoint's time, and continued (ResultFile's AppendAt constructor and the
// append halves of create_spike_groups, create_traces, create_weights and write_run_info).

#include <fcntl.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <limits>
#include <optional>
#include <stdexcept>

#include "comm/mpi_communicator.hpp"
#include "io/h5_handle.hpp"
#include "io/h5_write.hpp"
#include "io/result_file.hpp"
#include "io/result_file_impl.hpp"
#include "myelin/errors.hpp"

namespace myelin {

namespace {

std::vector<std::string> children(hid_t group) {
  std::vector<std::string> names;
  h5_check(H5Literate(
               group, H5_INDEX_NAME, H5_ITER_INC, nullptr,
               [](hid_t, const char* name, const H5L_info_t*, void* out) -> herr_t {
                 static_cast<std::vector<std::string>*>(out)->emplace_back(name);
                 return 0;
               },
               &names),
           "H5Literate", h5_name(group));
  return names;
}

bool has_link(hid_t parent, const std::string& name) {
  return H5Lexists(parent, name.c_str(), H5P_DEFAULT) > 0;
}

H5Handle open_set(hid_t parent, const std::string& name) {
  return H5Handle(H5Dopen2(parent, name.c_str(), H5P_DEFAULT), H5Dclose, "H5Dopen2",
                  h5_name(parent) + "/" + name);
}

std::vector<hsize_t> extent_of(hid_t dataset) {
  const H5Handle space(H5Dget_space(dataset), H5Sclose, "H5Dget_space", h5_name(dataset));
  const int rank = H5Sget_simple_extent_ndims(space);
  if (rank < 0) throw h5_error("H5Sget_simple_extent_ndims", h5_name(dataset));
  std::vector<hsize_t> dims(static_cast<std::size_t>(rank));
  H5Sget_simple_extent_dims(space, dims.data(), nullptr);
  return dims;
}

hsize_t rows_of(hid_t dataset) {
  const std::vector<hsize_t> dims = extent_of(dataset);
  return dims.empty() ? 0 : dims[0];
}

template <typename T>
std::optional<T> read_number(hid_t object, const char* name, hid_t type) {
  if (H5Aexists(object, name) <= 0) return std::nullopt;
  const H5Handle attribute(H5Aopen(object, name, H5P_DEFAULT), H5Aclose, "H5Aopen",
                           h5_name(object) + " attribute " + name);
  T value{};
  h5_check(H5Aread(attribute, type, &value), "H5Aread", h5_name(object) + " attribute " + name);
  return value;
}

std::optional<std::string> read_text(hid_t object, const char* name) {
  if (H5Aexists(object, name) <= 0) return std::nullopt;
  const std::string what = h5_name(object) + " attribute " + name;
  const H5Handle attribute(H5Aopen(object, name, H5P_DEFAULT), H5Aclose, "H5Aopen", what);
  const H5Handle type(H5Aget_type(attribute), H5Tclose, "H5Aget_type", what);
  if (H5Tget_class(type) != H5T_STRING) return std::nullopt;
  if (H5Tis_variable_str(type) > 0) {
    char* text = nullptr;
    h5_check(H5Aread(attribute, type, static_cast<void*>(&text)), "H5Aread", what);
    std::string out = text != nullptr ? text : "";
    H5free_memory(text);
    return out;
  }
  std::string out(H5Tget_size(type), '\0');
  h5_check(H5Aread(attribute, type, out.data()), "H5Aread", what);
  return out.substr(0, out.find('\0'));
}

// Element `i` of a 1-D float64 dataset, read by this process alone.
double element(hid_t set, hsize_t i) {
  const H5Handle file_space(H5Dget_space(set), H5Sclose, "H5Dget_space", h5_name(set));
  const hsize_t one = 1;
  h5_check(H5Sselect_hyperslab(file_space, H5S_SELECT_SET, &i, nullptr, &one, nullptr),
           "H5Sselect_hyperslab", h5_name(set));
  const H5Handle memory(H5Screate_simple(1, &one, nullptr), H5Sclose, "H5Screate_simple",
                        h5_name(set));
  double value = 0.0;
  h5_check(H5Dread(set, H5T_NATIVE_DOUBLE, memory, file_space, H5P_DEFAULT, &value), "H5Dread",
           h5_name(set));
  return value;
}

// The number of leading rows of the ascending `times` to keep: t <= cut (inclusive) or t < cut.
// Only the first `intact` rows are searched: a kill during a flush can leave rows after them
// that are not what was written (zeros, where a chunk was not indexed yet).
hsize_t rows_to_keep(hid_t times, hsize_t intact, double cut, bool inclusive) {
  hsize_t lo = 0;
  hsize_t hi = std::min(rows_of(times), intact);
  while (lo < hi) {  // the first row that goes
    const hsize_t mid = lo + (hi - lo) / 2;
    const double t = element(times, mid);
    if (inclusive ? t <= cut : t < cut)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo;
}

std::string format_ms(double t) {
  char text[64];
  std::snprintf(text, sizeof text, "%.17g", t);
  return text;
}

// One group of row datasets cut together: `times` decides, `sets` (including it) shrink, and
// `group` holds their intact_rows.
struct Cut {
  std::string what;
  H5Handle group;
  H5Handle times;
  bool inclusive = true;
  std::vector<H5Handle> sets;
};

}  // namespace

void ResultFile::Impl::refuse_append(const std::string& reason) const {
  throw input_error("--append", path, reason);
}

ResultFileHeader read_result_header(const std::string& path) {
  h5_silence_errors();
  ResultFileHeader header;
  struct stat status {};
  if (::stat(path.c_str(), &status) != 0) {
    header.problem = std::string("cannot open (") + std::strerror(errno) + ")";
    return header;
  }
  if (H5Fis_hdf5(path.c_str()) <= 0) {
    header.problem = "not a Myelin result file (not an HDF5 file)";
    return header;
  }
  try {
    const H5Handle file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose, "H5Fopen",
                        path);
    if (!has_link(file, "meta")) {
      header.problem = "not a Myelin result file (no /meta group)";
      return header;
    }
    const H5Handle meta(H5Gopen2(file, "meta", H5P_DEFAULT), H5Gclose, "H5Gopen2", "/meta");
    if (read_text(meta, "kind").value_or("") == "sweep") {
      header.problem = "a sweep file, not the result file of one run";
      return header;
    }
    const auto config = read_text(meta, "config");
    const auto version = read_text(meta, "version");
    if (!config || !version || !has_link(file, "spikes") || !has_link(file, "traces")) {
      header.problem = "not a Myelin result file (no /meta config, version, /spikes or /traces)";
      return header;
    }
    header.config_text = *config;
    header.version = *version;
    header.overrides = read_text(meta, "overrides").value_or("");
    header.complete = read_number<int>(meta, "complete", H5T_NATIVE_INT).value_or(0) == 1;
    header.t_start = read_number<double>(meta, "t_start", H5T_NATIVE_DOUBLE).value_or(0.0);
    header.t_stop = read_number<double>(meta, "t_stop", H5T_NATIVE_DOUBLE).value_or(0.0);
    header.dt = read_number<double>(meta, "dt", H5T_NATIVE_DOUBLE).value_or(0.0);
  } catch (const std::runtime_error& e) {
    header.problem = std::string("cannot read (") + e.what() + ")";
  }
  return header;
}

ResultFile::ResultFile(const std::string& path, Communicator& comm, AppendAt at)
    : impl_(std::make_unique<Impl>()) {
  h5_silence_errors();
  Impl& f = *impl_;
  f.comm = &comm;
  f.native = native_handle(comm);
  f.path = path;
  f.rank = comm.rank();
  f.appending = true;

  H5Handle access(H5Pcreate(H5P_FILE_ACCESS), H5Pclose, "H5Pcreate", path);
  h5_check(H5Pset_fapl_mpio(access, f.native, MPI_INFO_NULL), "H5Pset_fapl_mpio", path);
  hold_metadata_until_flush(access, path);
  const hid_t id = H5Fopen(path.c_str(), H5F_ACC_RDWR, access);
  const std::string reason = id < 0 ? h5_error_reason() : std::string();
  const bool failed = id < 0;
  if (comm.first_failed_rank(failed) >= 0)
    f.refuse_append("cannot open for writing (" +
                    (failed ? (reason.empty() ? "H5Fopen failed" : reason)
                            : std::string("failed on another rank")) +
                    ")");
  f.file = H5Handle(id, H5Fclose, "H5Fopen", path);
  try {
    open_and_cut(at.t_ms);
  } catch (const std::runtime_error& e) {
    // The same metadata on every rank: every rank fails here together.
    f.refuse_append(std::string("cannot continue it (") + e.what() + ")");
  }
}

void ResultFile::open_and_cut(double t_ms) {
  Impl& f = *impl_;
  Communicator& comm = *f.comm;
  const std::string& path = f.path;
  f.transfer = H5Handle(H5Pcreate(H5P_DATASET_XFER), H5Pclose, "H5Pcreate", path);
  h5_check(H5Pset_dxpl_mpio(f.transfer, H5FD_MPIO_COLLECTIVE), "H5Pset_dxpl_mpio", path);
  if (!has_link(f.file, "meta") || !has_link(f.file, "spikes") || !has_link(f.file, "traces") ||
      !has_link(f.file, "projections"))
    f.refuse_append("not a Myelin result file (no /meta, /spikes, /traces or /projections)");
  f.meta = open_group(f.file, "meta");
  // The flag first: from here on a crash leaves a file that says it is not complete.
  write_attribute(f.meta, "complete", 0);
  if (H5Aexists(f.meta, "stop_reason") > 0)
    h5_check(H5Adelete(f.meta, "stop_reason"), "H5Adelete", path + " /meta stop_reason");

  // Every row dataset, grouped by the times that decide its cut, in the same order on every rank.
  std::vector<Cut> cuts;
  {
    const H5Handle spikes = open_group(f.file, "spikes");
    for (const std::string& pop : children(spikes)) {
      H5Handle g = open_group(spikes, pop);
      Cut cut{"/spikes/" + pop, {}, open_set(g, "timestamps"), true, {}};
      cut.sets.push_back(open_set(g, "node_ids"));
      cut.sets.push_back(open_set(g, "timestamps"));
      cut.group = std::move(g);
      cuts.push_back(std::move(cut));
    }
    const H5Handle traces = open_group(f.file, "traces");
    for (const std::string& pop : children(traces)) {
      H5Handle g = open_group(traces, pop);
      Cut cut{"/traces/" + pop, {}, open_set(g, "times"), true, {}};
      for (const std::string& name : children(g))
        if (name != "node_ids") cut.sets.push_back(open_set(g, name));
      cut.group = std::move(g);
      cuts.push_back(std::move(cut));
    }
    if (has_link(f.file, "weights")) {
      const H5Handle weights = open_group(f.file, "weights");
      for (const std::string& proj : children(weights)) {
        H5Handle g = open_group(weights, proj);
        H5Handle st = open_group(g, "stats");
        Cut snaps{"/weights/" + proj, {}, open_set(g, "times"), false, {}};
        snaps.sets.push_back(open_set(g, "times"));
        snaps.sets.push_back(open_set(g, "weight"));
        snaps.group = std::move(g);
        cuts.push_back(std::move(snaps));
        Cut stats{"/weights/" + proj + "/stats", {}, open_set(st, "times"), false, {}};
        for (const char* name : {"times", "mean", "sd", "min", "max", "histogram"})
          stats.sets.push_back(open_set(st, name));
        stats.group = std::move(st);
        cuts.push_back(std::move(stats));
      }
    }
  }
  // Rank 0 finds the rows to keep (a binary search over each sorted times dataset); every rank
  // then shrinks the same datasets to the same extents (H5Dset_extent is collective).
  std::vector<std::int64_t> keep(cuts.size(), 0);
  // Files written before intact_rows existed: every row counts.
  for (std::size_t c = 0; c < cuts.size(); ++c) {
    const hsize_t intact =
        read_number<std::uint64_t>(cuts[c].group, "intact_rows", H5T_NATIVE_UINT64)
            .value_or(std::numeric_limits<std::uint64_t>::max());
    keep[c] =
        static_cast<std::int64_t>(rows_to_keep(cuts[c].times, intact, t_ms, cuts[c].inclusive));
  }
  keep = comm.max_each(std::move(keep));
  for (std::size_t c = 0; c < cuts.size(); ++c) {
    const auto rows = static_cast<hsize_t>(keep[c]);
    for (const H5Handle& set : cuts[c].sets) {
      std::vector<hsize_t> dims = extent_of(set);
      if (dims.empty() || dims[0] < rows)
        f.refuse_append("damaged: " + h5_name(set) + " has " +
                        std::to_string(dims.empty() ? 0 : dims[0]) + " rows, " +
                        std::to_string(rows) + " are before t = " + format_ms(t_ms) + " ms");
      if (dims[0] == rows) continue;
      dims[0] = rows;
      h5_check(H5Dset_extent(set, dims.data()), "H5Dset_extent", h5_name(set));
    }
    write_attribute(cuts[c].group, "intact_rows", static_cast<std::uint64_t>(rows));
  }
  // The cut on disk before anything new is written.
  h5_check(H5Fflush(f.file, H5F_SCOPE_GLOBAL), "H5Fflush", path);
}

void ResultFile::append_run_info(const RunInfo& info) {
  Impl& f = *impl_;
  const hid_t meta = f.meta;
  // The original run's identity (config text, seed, version, dt, t_start, resumed_from) stays;
  // what describes the run as a whole now, and the split that writes from here on, is replaced.
  write_attribute(meta, "overrides", [&] {
    std::string out;
    for (std::size_t i = 0; i < info.overrides.size(); ++i)
      out += (i == 0 ? "" : "\n") + info.overrides[i];
    return out;
  }());
  write_attribute(meta, "t_stop", info.t_stop);
  write_attribute(meta, "ranks", info.ranks);
  write_attribute(meta, "threads", info.threads);
  write_attribute(meta, "job_id", info.job_id);
  write_attribute(meta, "launcher", info.launcher);
  write_attribute(meta, "checkpoint", info.checkpoint);
  write_attribute(meta, "git_sha", info.git_sha);
  // One line per continuation, oldest first.
  const std::uint64_t appends =
      read_number<std::uint64_t>(meta, "appends", H5T_NATIVE_UINT64).value_or(0) + 1;
  const auto add_line = [&](const char* name, const std::string& line) {
    const std::string old = read_text(meta, name).value_or("");
    write_attribute(meta, name, old.empty() ? line : old + "\n" + line);
  };
  add_line("appended_at", format_ms(info.t_start));
  add_line("appended_from", info.resumed_from);
  write_attribute(meta, "appends", appends);
}

void ResultFile::Impl::open_spike_groups(const std::vector<std::string>& populations,
                                         const std::vector<std::uint64_t>& sizes) {
  const H5Handle all = open_group(file, "spikes");
  if (children(all).size() != populations.size())
    refuse_append("its /spikes has " + std::to_string(children(all).size()) +
                  " populations, the run records " + std::to_string(populations.size()));
  for (std::size_t p = 0; p < populations.size(); ++p) {
    if (!has_link(all, populations[p])) refuse_append("no /spikes/" + populations[p]);
    H5Handle g = open_group(all, populations[p]);
    if (read_number<std::uint64_t>(g, "size", H5T_NATIVE_UINT64).value_or(0) != sizes[p])
      refuse_append("/spikes/" + populations[p] + " is for another population size");
    Spikes sets;
    sets.node_ids = open_set(g, "node_ids");
    sets.timestamps = open_set(g, "timestamps");
    sets.rows = rows_of(sets.timestamps);
    sets.intact = {sets.rows, sets.rows};  // open_and_cut wrote it
    sets.group = std::move(g);
    spikes.push_back(std::move(sets));
  }
}

std::size_t ResultFile::Impl::open_traces(const std::string& population,
                                          const std::vector<std::string>& variables,
                                          const std::vector<std::uint64_t>& node_ids,
                                          double interval_ms,
                                          const std::vector<std::uint32_t>& columns) {
  const std::string where = "/traces/" + population;
  const H5Handle all = open_group(file, "traces");
  if (!has_link(all, population)) refuse_append("no " + where);
  H5Handle g = open_group(all, population);
  if (read_number<double>(g, "interval", H5T_NATIVE_DOUBLE).value_or(-1.0) != interval_ms)
    refuse_append(where + " has another sampling interval");
  const H5Handle ids = open_set(g, "node_ids");
  std::vector<std::uint64_t> stored(rows_of(ids));
  if (!stored.empty())
    h5_check(H5Dread(ids, H5T_NATIVE_UINT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, stored.data()),
             "H5Dread", where + "/node_ids");
  if (stored != node_ids) refuse_append(where + " records other neurons");
  Traces sets;
  sets.columns = node_ids.size();
  sets.my_columns = columns;
  sets.times = open_set(g, "times");
  sets.rows = rows_of(sets.times);
  for (const std::string& v : variables) {
    if (!has_link(g, v)) refuse_append("no " + where + "/" + v);
    sets.variables.push_back(open_set(g, v));
    const std::vector<hsize_t> dims = extent_of(sets.variables.back());
    if (dims.size() != 2 || dims[1] != sets.columns || dims[0] != sets.rows)
      refuse_append(where + "/" + v + " does not have " + std::to_string(sets.rows) + " x " +
                    std::to_string(sets.columns) + " values");
  }
  sets.intact = {sets.rows, sets.rows};
  sets.group = std::move(g);
  traces.push_back(std::move(sets));
  return traces.size() - 1;
}

std::size_t ResultFile::Impl::open_weights(const WeightRecording& w) {
  const std::string where = "/weights/" + w.projection;
  if (!has_link(file, "weights")) refuse_append("no /weights");
  const H5Handle all = open_group(file, "weights");
  if (!has_link(all, w.projection)) refuse_append("no " + where);
  H5Handle g = open_group(all, w.projection);
  H5Handle st = open_group(g, "stats");
  Weights sets;
  sets.columns = w.n_columns;
  sets.bins = w.bins;
  sets.my_columns = w.my_columns;
  sets.times = open_set(g, "times");
  sets.weight = open_set(g, "weight");
  sets.stats_times = open_set(st, "times");
  sets.mean = open_set(st, "mean");
  sets.sd = open_set(st, "sd");
  sets.min = open_set(st, "min");
  sets.max = open_set(st, "max");
  sets.histogram = open_set(st, "histogram");
  sets.snapshots = rows_of(sets.times);
  sets.stats = rows_of(sets.stats_times);
  const std::vector<hsize_t> weight = extent_of(sets.weight);
  const std::vector<hsize_t> histogram = extent_of(sets.histogram);
  if (weight.size() != 2 || weight[1] != w.n_columns || histogram.size() != 2 ||
      histogram[1] != w.bins)
    refuse_append(where + " is for another number of synapses or bins");
  sets.snapshots_intact = {sets.snapshots, sets.snapshots};
  sets.stats_intact = {sets.stats, sets.stats};
  sets.group = std::move(g);
  sets.stats_group = std::move(st);
  weights.push_back(std::move(sets));
  return weights.size() - 1;
}

}  // namespace myelin
