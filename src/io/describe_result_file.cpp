#include <sstream>
#include <vector>

#include "io/h5_handle.hpp"
#include "io/result_file.hpp"
#include "myelin/errors.hpp"

namespace myelin {

namespace {

template <typename T>
bool read_attribute(hid_t object, const char* name, hid_t type, T& out) {
  if (H5Aexists(object, name) <= 0) return false;
  H5Handle attr(H5Aopen(object, name, H5P_DEFAULT), H5Aclose,
                std::string("open attribute ") + name);
  return H5Aread(attr, type, &out) >= 0;
}

std::string read_string(hid_t object, const char* name) {
  if (H5Aexists(object, name) <= 0) return {};
  H5Handle attr(H5Aopen(object, name, H5P_DEFAULT), H5Aclose,
                std::string("open attribute ") + name);
  H5Handle type(H5Aget_type(attr), H5Tclose, "get type");
  std::string out(H5Tget_size(type), '\0');
  H5Aread(attr, type, out.data());
  return std::string(out.c_str());
}

std::vector<std::string> children(hid_t group) {
  std::vector<std::string> names;
  H5Literate(
      group, H5_INDEX_NAME, H5_ITER_INC, nullptr,
      [](hid_t, const char* name, const H5L_info_t*, void* data) -> herr_t {
        static_cast<std::vector<std::string>*>(data)->emplace_back(name);
        return 0;
      },
      &names);
  return names;
}

hsize_t rows_of(hid_t parent, const std::string& path, hsize_t* columns = nullptr) {
  H5Handle set(H5Dopen2(parent, path.c_str(), H5P_DEFAULT), H5Dclose, "open " + path);
  H5Handle space(H5Dget_space(set), H5Sclose, "get space");
  hsize_t dims[2] = {0, 0};
  H5Sget_simple_extent_dims(space, dims, nullptr);
  if (columns) *columns = dims[1];
  return dims[0];
}

}  // namespace

std::string describe_result_file(const std::string& path) {
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  if (H5Fis_hdf5(path.c_str()) <= 0)
    throw input_error("FILE", path, "not an HDF5 file or cannot be read");
  H5Handle file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose, "open " + path);
  if (H5Lexists(file, "meta", H5P_DEFAULT) <= 0)
    throw input_error("FILE", path, "not a Myelin result file (no /meta)");
  H5Handle meta(H5Gopen2(file, "meta", H5P_DEFAULT), H5Gclose, "open /meta");
  int complete = 0, ranks = 0, threads = 0;
  double dt = 0, t_stop = 0, wall = 0;
  unsigned long long seed = 0, synapses = 0, cut = 0;
  read_attribute(meta, "complete", H5T_NATIVE_INT, complete);
  read_attribute(meta, "ranks", H5T_NATIVE_INT, ranks);
  read_attribute(meta, "threads", H5T_NATIVE_INT, threads);
  read_attribute(meta, "dt", H5T_NATIVE_DOUBLE, dt);
  read_attribute(meta, "t_stop", H5T_NATIVE_DOUBLE, t_stop);
  read_attribute(meta, "wall_time", H5T_NATIVE_DOUBLE, wall);
  read_attribute(meta, "seed", H5T_NATIVE_ULLONG, seed);
  read_attribute(meta, "total_synapses", H5T_NATIVE_ULLONG, synapses);
  read_attribute(meta, "edge_cut", H5T_NATIVE_ULLONG, cut);

  std::ostringstream out;
  out << path << "\n";
  out << "  complete     " << (complete == 1 ? "yes" : "NO (the run did not finish)") << "\n";
  out << "  written by   myelin " << read_string(meta, "version") << " ("
      << read_string(meta, "git_sha") << "), " << ranks << " rank(s) x " << threads
      << " thread(s)\n";
  out << "  simulation   dt " << dt << " ms, t_stop " << t_stop << " ms, seed " << seed
      << ", loop wall time " << wall << " s\n";
  out << "  network      " << synapses << " synapses, edge cut " << cut << "\n";
  if (H5Lexists(file, "spikes", H5P_DEFAULT) > 0) {
    H5Handle spikes(H5Gopen2(file, "spikes", H5P_DEFAULT), H5Gclose, "open /spikes");
    for (const auto& pop : children(spikes)) {
      H5Handle g(H5Gopen2(spikes, pop.c_str(), H5P_DEFAULT), H5Gclose, "open spikes group");
      unsigned long long size = 0;
      read_attribute(g, "size", H5T_NATIVE_ULLONG, size);
      const hsize_t n = rows_of(g, "timestamps");
      const double rate = size && t_stop > 0 ? static_cast<double>(n) / static_cast<double>(size) /
                                                   (t_stop / 1000.0)
                                             : 0.0;
      out << "  spikes       " << pop << ": " << n << " spikes from " << size
          << " neurons, mean rate " << rate << " Hz\n";
    }
  }
  if (H5Lexists(file, "traces", H5P_DEFAULT) > 0) {
    H5Handle traces(H5Gopen2(file, "traces", H5P_DEFAULT), H5Gclose, "open /traces");
    for (const auto& pop : children(traces)) {
      H5Handle g(H5Gopen2(traces, pop.c_str(), H5P_DEFAULT), H5Gclose, "open traces group");
      for (const auto& var : children(g)) {
        if (var == "node_ids" || var == "times") continue;
        hsize_t cols = 0;
        const hsize_t rows = rows_of(g, var, &cols);
        out << "  trace        " << pop << "/" << var << ": " << rows << " samples x " << cols
            << " neurons\n";
      }
    }
  }
  if (H5Lexists(file, "projections", H5P_DEFAULT) > 0) {
    H5Handle projs(H5Gopen2(file, "projections", H5P_DEFAULT), H5Gclose, "open /projections");
    for (const auto& name : children(projs)) {
      H5Handle g(H5Gopen2(projs, name.c_str(), H5P_DEFAULT), H5Gclose, "open projection");
      unsigned long long n = 0;
      double c = 0, l = 0;
      read_attribute(g, "n_synapses", H5T_NATIVE_ULLONG, n);
      out << "  projection   " << name << ": " << n << " synapses";
      if (read_attribute(g, "clustering", H5T_NATIVE_DOUBLE, c)) out << ", clustering " << c;
      if (read_attribute(g, "mean_path_length", H5T_NATIVE_DOUBLE, l))
        out << ", mean path length " << l;
      out << "\n";
    }
  }
  return out.str();
}

}  // namespace myelin
