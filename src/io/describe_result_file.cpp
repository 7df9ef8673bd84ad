// `myelin info`: reads a result file serially (the default sec2 driver, no MPI) and summarises it.

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>
#include <sstream>
#include <vector>

#include "io/h5_handle.hpp"
#include "io/result_file.hpp"
#include "myelin/errors.hpp"

namespace myelin {

namespace {

H5Handle open_attribute(hid_t object, const char* name) {
  return H5Handle(H5Aopen(object, name, H5P_DEFAULT), H5Aclose, "H5Aopen",
                  h5_name(object) + " attribute " + name);
}

bool has_attribute(hid_t object, const char* name) {
  return H5Aexists(object, name) > 0;
}

// A numeric attribute converted to `type` (HDF5 converts between integer and float widths).
template <typename T>
std::optional<T> read_number(hid_t object, const char* name, hid_t type) {
  if (!has_attribute(object, name)) return std::nullopt;
  const H5Handle attribute = open_attribute(object, name);
  T value{};
  h5_check(H5Aread(attribute, type, &value), "H5Aread", h5_name(object) + " attribute " + name);
  return value;
}

// Variable-length (what Myelin writes) or fixed-length (what other tools may write).
std::string read_string(hid_t object, const char* name) {
  if (!has_attribute(object, name)) return "?";
  const std::string what = h5_name(object) + " attribute " + name;
  const H5Handle attribute = open_attribute(object, name);
  const H5Handle type(H5Aget_type(attribute), H5Tclose, "H5Aget_type", what);
  if (H5Tget_class(type) != H5T_STRING) return "?";
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

std::optional<H5Handle> open_group_if_present(hid_t parent, const char* name) {
  if (H5Lexists(parent, name, H5P_DEFAULT) <= 0) return std::nullopt;
  return H5Handle(H5Gopen2(parent, name, H5P_DEFAULT), H5Gclose, "H5Gopen2", name);
}

std::vector<hsize_t> shape_of(hid_t dataset) {
  const H5Handle space(H5Dget_space(dataset), H5Sclose, "H5Dget_space", h5_name(dataset));
  const int rank = H5Sget_simple_extent_ndims(space);
  if (rank < 0) throw h5_error("H5Sget_simple_extent_ndims", h5_name(dataset));
  std::vector<hsize_t> dims(static_cast<std::size_t>(rank));
  H5Sget_simple_extent_dims(space, dims.data(), nullptr);
  return dims;
}

H5Handle open_dataset(hid_t parent, const std::string& name) {
  return H5Handle(H5Dopen2(parent, name.c_str(), H5P_DEFAULT), H5Dclose, "H5Dopen2",
                  h5_name(parent) + "/" + name);
}

void describe_run(hid_t meta, std::ostream& out) {
  const int complete = read_number<int>(meta, "complete", H5T_NATIVE_INT).value_or(0);
  out << "  complete     " << (complete == 1 ? "yes" : "NO (the run did not finish)") << "\n";
  const std::string stop_reason = read_string(meta, "stop_reason");
  if (stop_reason != "?") out << "  stopped      " << stop_reason << "\n";
  out << "  written by   myelin " << read_string(meta, "version") << " (git "
      << read_string(meta, "git_sha") << ") on "
      << read_number<int>(meta, "ranks", H5T_NATIVE_INT).value_or(0) << " rank(s) x "
      << read_number<int>(meta, "threads", H5T_NATIVE_INT).value_or(0) << " thread(s)\n";
  out << "  simulation   dt " << read_number<double>(meta, "dt", H5T_NATIVE_DOUBLE).value_or(0)
      << " ms, t_stop " << read_number<double>(meta, "t_stop", H5T_NATIVE_DOUBLE).value_or(0)
      << " ms, min delay " << read_number<double>(meta, "min_delay", H5T_NATIVE_DOUBLE).value_or(0)
      << " ms, seed " << read_number<std::uint64_t>(meta, "seed", H5T_NATIVE_UINT64).value_or(0)
      << "\n";
  const std::string config = read_string(meta, "config");
  if (config != "?")
    out << "  config       " << std::count(config.begin(), config.end(), '\n')
        << " lines (/meta attribute config)\n";
  const std::string overrides = read_string(meta, "overrides");
  if (!overrides.empty() && overrides != "?") {
    std::string shown = overrides;
    std::replace(shown.begin(), shown.end(), '\n', ' ');
    out << "  overrides    " << shown << "\n";
  }
  if (const auto appends = read_number<std::uint64_t>(meta, "appends", H5T_NATIVE_UINT64)) {
    std::string at = read_string(meta, "appended_at");
    std::replace(at.begin(), at.end(), '\n', ',');
    out << "  continued    " << *appends << " time(s) by resume --append, at t = " << at
        << " ms (ranks, threads and phase times: the last segment's)\n";
  }
  if (const auto synapses = read_number<std::uint64_t>(meta, "total_synapses", H5T_NATIVE_UINT64))
    out << "  network      " << *synapses << " synapses, edge cut "
        << read_number<std::uint64_t>(meta, "edge_cut", H5T_NATIVE_UINT64).value_or(0) << "\n";
}

// The rows of a group a killed run's file holds intact (its intact_rows; all rows in files
// written before the attribute existed).
hsize_t intact_rows_of(hid_t group, hsize_t rows) {
  return std::min<hsize_t>(
      rows, read_number<std::uint64_t>(group, "intact_rows", H5T_NATIVE_UINT64).value_or(rows));
}

void describe_spikes(hid_t file, double t_stop, std::ostream& out) {
  const auto spikes = open_group_if_present(file, "spikes");
  if (!spikes) return;
  for (const std::string& population : children(*spikes)) {
    const H5Handle group(H5Gopen2(*spikes, population.c_str(), H5P_DEFAULT), H5Gclose, "H5Gopen2",
                         "/spikes/" + population);
    const auto size = read_number<std::uint64_t>(group, "size", H5T_NATIVE_UINT64).value_or(0);
    const hsize_t count = intact_rows_of(group, shape_of(open_dataset(group, "timestamps")).at(0));
    out << "  spikes       " << population << ": " << count << " spikes from " << size
        << " neurons";
    if (size > 0 && t_stop > 0)
      out << ", mean rate "
          << static_cast<double>(count) / static_cast<double>(size) / (t_stop / 1000.0) << " Hz";
    out << "\n";
  }
}

void describe_traces(hid_t file, std::ostream& out) {
  const auto traces = open_group_if_present(file, "traces");
  if (!traces) return;
  for (const std::string& population : children(*traces)) {
    const H5Handle group(H5Gopen2(*traces, population.c_str(), H5P_DEFAULT), H5Gclose, "H5Gopen2",
                         "/traces/" + population);
    const double interval = read_number<double>(group, "interval", H5T_NATIVE_DOUBLE).value_or(0);
    for (const std::string& variable : children(group)) {
      if (variable == "node_ids" || variable == "times") continue;
      const H5Handle set = open_dataset(group, variable);
      const std::vector<hsize_t> shape = shape_of(set);
      out << "  trace        " << population << "/" << variable << ": "
          << intact_rows_of(group, shape.at(0)) << " samples x "
          << (shape.size() > 1 ? shape[1] : 1) << " neurons, every " << interval << " ms";
      const std::string units = read_string(set, "units");
      if (!units.empty() && units != "?") out << ", in " << units;
      out << "\n";
    }
  }
}

void describe_projections(hid_t file, std::ostream& out) {
  const auto projections = open_group_if_present(file, "projections");
  if (!projections) return;
  for (const std::string& name : children(*projections)) {
    const H5Handle g(H5Gopen2(*projections, name.c_str(), H5P_DEFAULT), H5Gclose, "H5Gopen2",
                     "/projections/" + name);
    out << "  projection   " << name << ": "
        << read_number<std::uint64_t>(g, "n_synapses", H5T_NATIVE_UINT64).value_or(0)
        << " synapses";
    if (const auto c = read_number<double>(g, "clustering", H5T_NATIVE_DOUBLE))
      out << ", clustering " << *c << " ("
          << read_number<std::uint32_t>(g, "clustering_vertices", H5T_NATIVE_UINT32).value_or(0)
          << " vertices)";
    if (const auto l = read_number<double>(g, "mean_path_length", H5T_NATIVE_DOUBLE))
      out << ", mean path length " << *l << " ("
          << read_number<std::uint32_t>(g, "path_length_sources", H5T_NATIVE_UINT32).value_or(0)
          << " sources)";
    out << "\n";
  }
}

std::vector<double> read_doubles(hid_t set, std::size_t count) {
  std::vector<double> values(count);
  if (count > 0)
    h5_check(H5Dread(set, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()),
             "H5Dread", h5_name(set));
  return values;
}

// Per phase the slowest rank, which is what the run waited for.
void describe_phases(hid_t meta, std::ostream& out) {
  if (H5Lexists(meta, "phase_times", H5P_DEFAULT) <= 0) return;
  const H5Handle set = open_dataset(meta, "phase_times");
  const std::vector<hsize_t> shape = shape_of(set);
  if (shape.size() != 2) return;
  const std::vector<double> times = read_doubles(set, shape[0] * shape[1]);
  std::vector<std::string> names;
  std::istringstream phases(read_string(set, "phases"));
  for (std::string name; std::getline(phases, name, ',');) names.push_back(name);
  out << "  phases       ";
  for (hsize_t p = 0; p < shape[1]; ++p) {
    double slowest = 0.0;
    for (hsize_t r = 0; r < shape[0]; ++r) slowest = std::max(slowest, times[r * shape[1] + p]);
    out << (p == 0 ? "" : ", ") << (p < names.size() ? names[p] : "?") << " " << slowest << " s";
  }
  out << " (slowest rank)\n";
  out << "  totals       "
      << read_number<std::uint64_t>(meta, "total_spikes", H5T_NATIVE_UINT64).value_or(0)
      << " spikes, wall time "
      << read_number<double>(meta, "wall_time", H5T_NATIVE_DOUBLE).value_or(0) << " s";
  if (H5Lexists(meta, "peak_rss_mb", H5P_DEFAULT) > 0) {
    const H5Handle rss = open_dataset(meta, "peak_rss_mb");
    const std::vector<double> mb = read_doubles(rss, shape_of(rss).at(0));
    if (!mb.empty()) out << ", peak RSS " << *std::max_element(mb.begin(), mb.end()) << " MB";
  }
  out << "\n";
}

std::vector<std::string> attribute_names(hid_t object) {
  std::vector<std::string> names;
  hsize_t index = 0;
  h5_check(H5Aiterate2(
               object, H5_INDEX_NAME, H5_ITER_INC, &index,
               [](hid_t, const char* name, const H5A_info_t*, void* names_out) -> herr_t {
                 static_cast<std::vector<std::string>*>(names_out)->emplace_back(name);
                 return 0;
               },
               &names),
           "H5Aiterate2", h5_name(object));
  return names;
}

// A sweep file (/meta kind = "sweep"): the grid and one line per run, from /runs/<name>.
void describe_sweep(hid_t file, hid_t meta, std::ostream& out) {
  const int complete = read_number<int>(meta, "complete", H5T_NATIVE_INT).value_or(0);
  out << "  complete     " << (complete == 1 ? "yes" : "NO (the sweep did not finish)") << "\n";
  out << "  sweep        "
      << read_number<std::uint64_t>(meta, "n_runs", H5T_NATIVE_UINT64).value_or(0) << " run(s), "
      << read_number<std::uint64_t>(meta, "n_failed", H5T_NATIVE_UINT64).value_or(0)
      << " failed, on " << read_number<int>(meta, "ranks", H5T_NATIVE_INT).value_or(0)
      << " rank(s), " << read_number<int>(meta, "ranks_per_run", H5T_NATIVE_INT).value_or(0)
      << " per run, written by myelin " << read_string(meta, "version") << "\n";
  const auto runs = open_group_if_present(file, "runs");
  if (!runs) return;
  for (const std::string& name : children(*runs)) {
    const H5Handle run(H5Gopen2(*runs, name.c_str(), H5P_DEFAULT), H5Gclose, "H5Gopen2",
                       "/runs/" + name);
    out << "  " << name << "     seed "
        << read_number<std::uint64_t>(run, "seed", H5T_NATIVE_UINT64).value_or(0);
    for (const std::string& key : attribute_names(run))
      if (key != "seed" && key != "complete" && key != "error")
        out << ", " << key << " = "
            << read_number<double>(run, key.c_str(), H5T_NATIVE_DOUBLE).value_or(0);
    std::uint64_t spikes = 0;
    if (const auto groups = open_group_if_present(run, "spikes"))
      for (const std::string& population : children(*groups))
        spikes += shape_of(open_dataset(*groups, population + "/timestamps")).at(0);
    out << ", " << spikes << " spikes";
    if (const auto run_meta = open_group_if_present(run, "meta"))
      out << ", dt " << read_number<double>(*run_meta, "dt", H5T_NATIVE_DOUBLE).value_or(0)
          << " ms, t_stop "
          << read_number<double>(*run_meta, "t_stop", H5T_NATIVE_DOUBLE).value_or(0) << " ms";
    const int run_complete = read_number<int>(run, "complete", H5T_NATIVE_INT).value_or(0);
    out << (run_complete == 1 ? ", complete" : ", FAILED: " + read_string(run, "error")) << "\n";
  }
}

}  // namespace

std::string describe_result_file(const std::string& path) {
  h5_silence_errors();
  struct stat status {};
  if (::stat(path.c_str(), &status) != 0)
    throw input_error("FILE", path, std::string("cannot open (") + std::strerror(errno) + ")");
  if (H5Fis_hdf5(path.c_str()) <= 0) throw input_error("FILE", path, "not an HDF5 file");
  try {
    const H5Handle file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose, "H5Fopen",
                        path);
    if (H5Lexists(file, "meta", H5P_DEFAULT) <= 0)
      throw input_error("FILE", path, "not a Myelin result file (no /meta group)");
    const H5Handle meta(H5Gopen2(file, "meta", H5P_DEFAULT), H5Gclose, "H5Gopen2", "/meta");
    std::ostringstream out;
    out << path << "\n";
    if (read_string(meta, "kind") == "sweep") {
      describe_sweep(file, meta, out);
      return out.str();
    }
    describe_run(meta, out);
    const double t_stop = read_number<double>(meta, "t_stop", H5T_NATIVE_DOUBLE).value_or(0);
    describe_spikes(file, t_stop, out);
    describe_traces(file, out);
    describe_projections(file, out);
    describe_phases(meta, out);
    return out.str();
  } catch (const InputError&) {
    throw;
  } catch (const std::runtime_error& e) {
    // A run that crashed may leave a damaged file: a bad input, not an internal error.
    throw input_error("FILE", path, std::string("cannot read (") + e.what() + ")");
  }
}

}  // namespace myelin
