#include "io/result_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <numeric>

#include "io/h5_handle.hpp"
#include "myelin/errors.hpp"

namespace myelin {

namespace {

constexpr hsize_t chunk_rows = 65536;

H5Handle create_group(hid_t parent, const std::string& name) {
  return H5Handle(H5Gcreate2(parent, name.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Gclose,
                  "create group " + name);
}

template <typename T>
hid_t h5_type();
template <>
hid_t h5_type<std::uint64_t>() {
  return H5T_NATIVE_UINT64;
}
template <>
hid_t h5_type<double>() {
  return H5T_NATIVE_DOUBLE;
}
template <>
hid_t h5_type<int>() {
  return H5T_NATIVE_INT;
}
template <>
hid_t h5_type<std::uint32_t>() {
  return H5T_NATIVE_UINT32;
}

template <typename T>
void write_attribute(hid_t object, const std::string& name, const T& value) {
  if (H5Aexists(object, name.c_str()) > 0) H5Adelete(object, name.c_str());
  H5Handle space(H5Screate(H5S_SCALAR), H5Sclose, "create scalar space");
  H5Handle attr(H5Acreate2(object, name.c_str(), h5_type<T>(), space, H5P_DEFAULT, H5P_DEFAULT),
                H5Aclose, "create attribute " + name);
  h5_check(H5Awrite(attr, h5_type<T>(), &value), "write attribute " + name);
}

void write_attribute(hid_t object, const std::string& name, const std::string& value) {
  if (H5Aexists(object, name.c_str()) > 0) H5Adelete(object, name.c_str());
  H5Handle type(H5Tcopy(H5T_C_S1), H5Tclose, "copy string type");
  h5_check(H5Tset_size(type, std::max<std::size_t>(1, value.size())), "set string size");
  H5Handle space(H5Screate(H5S_SCALAR), H5Sclose, "create scalar space");
  H5Handle attr(H5Acreate2(object, name.c_str(), type, space, H5P_DEFAULT, H5P_DEFAULT), H5Aclose,
                "create attribute " + name);
  const std::string padded = value.empty() ? std::string(1, '\0') : value;
  h5_check(H5Awrite(attr, type, padded.data()), "write attribute " + name);
}

// A small dataset every rank writes identically (rank 0's data is what lands).
template <typename T>
void write_small_dataset(hid_t parent, const std::string& name, const std::vector<T>& data,
                         std::vector<hsize_t> dims, hid_t collective) {
  H5Handle space(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr), H5Sclose,
                 "create space");
  H5Handle set(
      H5Dcreate2(parent, name.c_str(), h5_type<T>(), space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
      H5Dclose, "create dataset " + name);
  h5_check(H5Dwrite(set, h5_type<T>(), H5S_ALL, H5S_ALL, collective, data.data()), "write " + name);
}

// An empty dataset, extendable along the first dimension.
H5Handle create_extendable(hid_t parent, const std::string& name, hid_t type, hsize_t columns) {
  const int rank = columns == 0 ? 1 : 2;
  const hsize_t dims[2] = {0, columns};
  const hsize_t max[2] = {H5S_UNLIMITED, columns};
  const hsize_t chunk[2] = {
      columns == 0 ? chunk_rows : std::max<hsize_t>(1, chunk_rows / std::max<hsize_t>(1, columns)),
      std::max<hsize_t>(1, columns)};
  H5Handle space(H5Screate_simple(rank, dims, max), H5Sclose, "create space");
  H5Handle plist(H5Pcreate(H5P_DATASET_CREATE), H5Pclose, "create plist");
  h5_check(H5Pset_chunk(plist, rank, chunk), "set chunk");
  return H5Handle(H5Dcreate2(parent, name.c_str(), type, space, H5P_DEFAULT, plist, H5P_DEFAULT),
                  H5Dclose, "create dataset " + name);
}

}  // namespace

struct ResultFile::Impl {
  MPI_Comm comm;
  int rank = 0;
  int size = 1;
  H5Handle file;
  H5Handle meta;
  H5Handle collective;
  struct SpikeSets {
    H5Handle ids, times;
    hsize_t rows = 0;
  };
  std::vector<SpikeSets> spikes;
  struct TraceSets {
    std::vector<H5Handle> variables;
    H5Handle times;
    hsize_t rows = 0;
    hsize_t columns = 0;
    std::vector<std::uint32_t> my_columns;
  };
  std::vector<TraceSets> traces;

  // Rows [offset, offset + count) of a 1-D (columns == 0) or 2-D dataset, after extending it to
  // `total` rows. A rank with nothing to write selects nothing but still takes part.
  template <typename T>
  void append_rows(hid_t set, hsize_t old_rows, hsize_t total, hsize_t offset, const T* data,
                   hsize_t count) {
    const hsize_t new_dims[1] = {old_rows + total};
    h5_check(H5Dset_extent(set, new_dims), "extend dataset");
    H5Handle file_space(H5Dget_space(set), H5Sclose, "get space");
    const hsize_t start[1] = {old_rows + offset};
    const hsize_t n[1] = {count};
    H5Handle mem(H5Screate_simple(1, count ? n : new_dims, nullptr), H5Sclose,
                 "create memory space");
    if (count) {
      h5_check(H5Sselect_hyperslab(file_space, H5S_SELECT_SET, start, nullptr, n, nullptr),
               "select");
    } else {
      H5Sselect_none(file_space);
      H5Sselect_none(mem);
    }
    h5_check(H5Dwrite(set, h5_type<T>(), mem, file_space, collective, data), "write rows");
  }
};

ResultFile::ResultFile(const std::string& path, MPI_Comm comm) : impl_(std::make_unique<Impl>()) {
  impl_->comm = comm;
  MPI_Comm_rank(comm, &impl_->rank);
  MPI_Comm_size(comm, &impl_->size);
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  // One rank tries the path first, so that every rank gets the same verdict and none hangs
  // inside a collective create that fails on another.
  int error = 0;
  if (impl_->rank == 0) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT, 0644);
    if (fd < 0)
      error = errno;
    else
      ::close(fd);
  }
  MPI_Bcast(&error, 1, MPI_INT, 0, comm);
  if (error)
    throw input_error("output.file", path,
                      std::string("cannot create (") + std::strerror(error) + ")");

  H5Handle fapl(H5Pcreate(H5P_FILE_ACCESS), H5Pclose, "create fapl");
  h5_check(H5Pset_fapl_mpio(fapl, comm, MPI_INFO_NULL), "set MPI-IO");
  impl_->file = H5Handle(H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, fapl), H5Fclose,
                         "create " + path);
  impl_->collective = H5Handle(H5Pcreate(H5P_DATASET_XFER), H5Pclose, "create dxpl");
  h5_check(H5Pset_dxpl_mpio(impl_->collective, H5FD_MPIO_COLLECTIVE), "set collective");
  impl_->meta = create_group(impl_->file, "meta");
  write_attribute(impl_->meta, "complete", 0);
  create_group(impl_->file, "spikes");
  create_group(impl_->file, "traces");
  create_group(impl_->file, "projections");
}

ResultFile::~ResultFile() = default;

void ResultFile::write_run_info(const RunInfo& info) {
  const hid_t m = impl_->meta;
  write_attribute(m, "config", info.config_text);
  std::string overrides;
  for (const auto& o : info.overrides) overrides += (overrides.empty() ? "" : "\n") + o;
  write_attribute(m, "overrides", overrides);
  write_attribute(m, "seed", info.seed);
  write_attribute(m, "version", info.version);
  write_attribute(m, "git_sha", info.git_sha);
  write_attribute(m, "ranks", info.ranks);
  write_attribute(m, "threads", info.threads);
  write_attribute(m, "dt", info.dt);
  write_attribute(m, "t_stop", info.t_stop);
  write_attribute(m, "min_delay", info.min_delay);
}

void ResultFile::write_network(const std::vector<ProjectionSummary>& projections,
                               const PartitionSummary& partition) {
  H5Handle group(H5Gopen2(impl_->file, "projections", H5P_DEFAULT), H5Gclose, "open /projections");
  for (const auto& p : projections) {
    H5Handle g = create_group(group, p.name);
    write_attribute(g, "n_synapses", p.n_synapses);
    if (p.clustering) write_attribute(g, "clustering", *p.clustering);
    if (p.mean_path_length) write_attribute(g, "mean_path_length", *p.mean_path_length);
    if (p.clustering) write_attribute(g, "clustering_vertices", p.clustering_vertices);
    if (p.mean_path_length) write_attribute(g, "path_length_sources", p.path_length_sources);
  }
  const hid_t m = impl_->meta;
  const hsize_t ranks = partition.neurons_per_rank.size();
  write_small_dataset(m, "neurons_per_rank", partition.neurons_per_rank, {ranks},
                      impl_->collective);
  write_small_dataset(m, "synapses_per_rank", partition.synapses_per_rank, {ranks},
                      impl_->collective);
  write_attribute(m, "edge_cut", partition.edge_cut);
  write_attribute(m, "total_synapses", partition.total_synapses);
}

void ResultFile::create_spike_groups(const std::vector<std::string>& populations,
                                     const std::vector<std::uint64_t>& sizes) {
  H5Handle spikes(H5Gopen2(impl_->file, "spikes", H5P_DEFAULT), H5Gclose, "open /spikes");
  for (std::size_t p = 0; p < populations.size(); ++p) {
    H5Handle g = create_group(spikes, populations[p]);
    write_attribute(g, "sorting", std::string("by_time"));
    write_attribute(g, "size", sizes[p]);
    Impl::SpikeSets sets;
    sets.ids = create_extendable(g, "node_ids", H5T_NATIVE_UINT64, 0);
    sets.times = create_extendable(g, "timestamps", H5T_NATIVE_DOUBLE, 0);
    write_attribute(sets.times, "units", std::string("ms"));
    impl_->spikes.push_back(std::move(sets));
  }
}

void ResultFile::append_spikes(std::size_t population, std::span<const std::uint64_t> node_ids,
                               std::span<const double> timestamps_ms) {
  auto& sets = impl_->spikes[population];
  unsigned long long mine = node_ids.size(), offset = 0, total = 0;
  MPI_Exscan(&mine, &offset, 1, MPI_UNSIGNED_LONG_LONG, MPI_SUM, impl_->comm);
  if (impl_->rank == 0) offset = 0;
  MPI_Allreduce(&mine, &total, 1, MPI_UNSIGNED_LONG_LONG, MPI_SUM, impl_->comm);
  if (total == 0) return;
  impl_->append_rows(sets.ids, sets.rows, total, offset, node_ids.data(), mine);
  impl_->append_rows(sets.times, sets.rows, total, offset, timestamps_ms.data(), mine);
  sets.rows += total;
}

std::size_t ResultFile::create_traces(const std::string& population,
                                      const std::vector<std::string>& variables,
                                      const std::vector<std::uint64_t>& node_ids,
                                      double interval_ms,
                                      const std::vector<std::uint32_t>& my_columns) {
  H5Handle traces(H5Gopen2(impl_->file, "traces", H5P_DEFAULT), H5Gclose, "open /traces");
  H5Handle g = create_group(traces, population);
  write_attribute(g, "interval", interval_ms);
  write_small_dataset(g, "node_ids", node_ids, {node_ids.size()}, impl_->collective);
  Impl::TraceSets sets;
  sets.columns = node_ids.size();
  sets.my_columns = my_columns;
  for (const auto& v : variables) {
    sets.variables.push_back(create_extendable(g, v, H5T_NATIVE_DOUBLE, sets.columns));
    write_attribute(sets.variables.back(), "units", std::string(v == "V_m" ? "mV" : ""));
  }
  sets.times = create_extendable(g, "times", H5T_NATIVE_DOUBLE, 0);
  write_attribute(sets.times, "units", std::string("ms"));
  impl_->traces.push_back(std::move(sets));
  return impl_->traces.size() - 1;
}

void ResultFile::append_traces(std::size_t handle, std::span<const double> times_ms,
                               const std::vector<std::vector<double>>& values) {
  auto& sets = impl_->traces[handle];
  const hsize_t rows = times_ms.size();
  if (rows == 0) return;
  // Times: identical on every rank; rank 0 writes them.
  impl_->append_rows(sets.times, sets.rows, rows, 0, times_ms.data(), impl_->rank == 0 ? rows : 0);
  const hsize_t mine = sets.my_columns.size();
  for (std::size_t v = 0; v < sets.variables.size(); ++v) {
    const hid_t set = sets.variables[v];
    const hsize_t dims[2] = {sets.rows + rows, sets.columns};
    h5_check(H5Dset_extent(set, dims), "extend trace");
    H5Handle file_space(H5Dget_space(set), H5Sclose, "get space");
    H5Sselect_none(file_space);
    // This rank's columns, as a union of runs of consecutive columns.
    for (std::size_t c = 0; c < mine;) {
      std::size_t end = c + 1;
      while (end < mine && sets.my_columns[end] == sets.my_columns[end - 1] + 1) ++end;
      const hsize_t start[2] = {sets.rows, sets.my_columns[c]};
      const hsize_t count[2] = {rows, end - c};
      h5_check(H5Sselect_hyperslab(file_space, H5S_SELECT_OR, start, nullptr, count, nullptr),
               "select columns");
      c = end;
    }
    const hsize_t mem_dims[2] = {rows, std::max<hsize_t>(1, mine)};
    H5Handle mem(H5Screate_simple(2, mem_dims, nullptr), H5Sclose, "create memory space");
    if (mine == 0) H5Sselect_none(mem);
    const double dummy = 0.0;
    h5_check(H5Dwrite(set, H5T_NATIVE_DOUBLE, mem, file_space, impl_->collective,
                      mine ? values[v].data() : &dummy),
             "write trace");
  }
  sets.rows += rows;
}

void ResultFile::write_run_stats(const RunStats& stats) {
  const hid_t m = impl_->meta;
  std::string names;
  for (const auto& n : stats.phase_names) names += (names.empty() ? "" : ",") + n;
  std::vector<double> flat;
  for (const auto& r : stats.phase_times) flat.insert(flat.end(), r.begin(), r.end());
  write_small_dataset(m, "phase_times", flat, {stats.phase_times.size(), stats.phase_names.size()},
                      impl_->collective);
  {
    H5Handle set(H5Dopen2(m, "phase_times", H5P_DEFAULT), H5Dclose, "open phase_times");
    write_attribute(set, "phases", names);
  }
  write_small_dataset(m, "peak_rss_mb", stats.peak_rss_mb, {stats.peak_rss_mb.size()},
                      impl_->collective);
  write_attribute(m, "total_spikes", stats.total_spikes);
  write_attribute(m, "wall_time", stats.wall_time);
}

void ResultFile::mark_complete() {
  h5_check(H5Fflush(impl_->file, H5F_SCOPE_GLOBAL), "flush");
  write_attribute(impl_->meta, "complete", 1);
  impl_->spikes.clear();
  impl_->traces.clear();
  impl_->meta.reset();
  impl_->collective.reset();
  impl_->file.reset();
}

}  // namespace myelin
