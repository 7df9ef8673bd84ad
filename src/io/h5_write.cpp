#include "io/h5_write.hpp"

#include <algorithm>

namespace myelin {

namespace {

// About 128 KiB of float64 per chunk: large enough for efficient collective I/O, small enough
// that short runs stay small (a 60-run sweep of 100 neurons took 159 MB with 512 KiB chunks,
// mostly unfilled spike chunks).
constexpr hsize_t chunk_elements = 16384;

std::string child_name(hid_t parent, const std::string& name) {
  std::string path = h5_name(parent);
  if (path != "/") path += "/";
  return path + name;
}

std::string attribute_name(hid_t object, const std::string& name) {
  return h5_name(object) + " attribute " + name;
}

void write_scalar_attribute(hid_t object, const std::string& name, hid_t type, const void* value) {
  const htri_t exists = H5Aexists(object, name.c_str());
  if (exists < 0) throw h5_error("H5Aexists", attribute_name(object, name));
  H5Handle attribute;
  if (exists > 0) {
    attribute = H5Handle(H5Aopen(object, name.c_str(), H5P_DEFAULT), H5Aclose, "H5Aopen",
                         attribute_name(object, name));
  } else {
    H5Handle space(H5Screate(H5S_SCALAR), H5Sclose, "H5Screate", attribute_name(object, name));
    attribute = H5Handle(H5Acreate2(object, name.c_str(), type, space, H5P_DEFAULT, H5P_DEFAULT),
                         H5Aclose, "H5Acreate2", attribute_name(object, name));
  }
  h5_check(H5Awrite(attribute, type, value), "H5Awrite", attribute_name(object, name));
}

H5Handle simple_space(const hsize_t* dims, int rank, const hsize_t* max, const std::string& what) {
  return H5Handle(H5Screate_simple(rank, dims, max), H5Sclose, "H5Screate_simple", what);
}

void select_none(hid_t space, const std::string& what) {
  h5_check(H5Sselect_none(space), "H5Sselect_none", what);
}

struct Run {
  hsize_t first = 0;
  hsize_t length = 0;
};

std::vector<Run> runs_of(std::span<const std::uint32_t> columns) {
  std::vector<Run> runs;
  for (const std::uint32_t c : columns) {
    if (!runs.empty() && runs.back().first + runs.back().length == c)
      ++runs.back().length;
    else
      runs.push_back({c, 1});
  }
  return runs;
}

// Selects rows [first_row, first_row + rows) x `columns`. Round-robin and block ownership are
// one strided hyperslab; only irregular column sets need a union, which HDF5 builds slowly.
void select_columns(hid_t space, hsize_t first_row, hsize_t rows,
                    std::span<const std::uint32_t> columns, const std::string& what) {
  const std::vector<Run> runs = runs_of(columns);
  if (runs.empty()) return select_none(space, what);
  const hsize_t stride = runs.size() > 1 ? runs[1].first - runs[0].first : runs[0].length;
  bool regular = true;
  for (std::size_t i = 1; i < runs.size() && regular; ++i)
    regular = runs[i].length == runs[0].length && runs[i].first - runs[i - 1].first == stride;
  if (regular) {
    const hsize_t start[2] = {first_row, runs[0].first};
    const hsize_t step[2] = {1, stride};
    const hsize_t count[2] = {rows, runs.size()};
    const hsize_t block[2] = {1, runs[0].length};
    h5_check(H5Sselect_hyperslab(space, H5S_SELECT_SET, start, step, count, block),
             "H5Sselect_hyperslab", what);
    return;
  }
  select_none(space, what);
  for (const Run& run : runs) {
    const hsize_t start[2] = {first_row, run.first};
    const hsize_t count[2] = {rows, run.length};
    h5_check(H5Sselect_hyperslab(space, H5S_SELECT_OR, start, nullptr, count, nullptr),
             "H5Sselect_hyperslab", what);
  }
}

}  // namespace

void hold_metadata_until_flush(hid_t access, const std::string& path) {
  H5AC_cache_config_t config;
  config.version = H5AC__CURR_CACHE_CONFIG_VERSION;
  h5_check(H5Pget_mdc_config(access, &config), "H5Pget_mdc_config", path);
  config.evictions_enabled = false;
  config.incr_mode = H5C_incr__off;
  config.flash_incr_mode = H5C_flash_incr__off;
  config.decr_mode = H5C_decr__off;
  // The parallel cache's sync points write dirty metadata after this many bytes of it.
  config.dirty_bytes_threshold = config.max_size;
  h5_check(H5Pset_mdc_config(access, &config), "H5Pset_mdc_config", path);
}

H5Handle create_group(hid_t parent, const std::string& name) {
  return H5Handle(H5Gcreate2(parent, name.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Gclose,
                  "H5Gcreate2", child_name(parent, name));
}

void remove_if_present(hid_t parent, const std::string& name) {
  const htri_t exists = H5Lexists(parent, name.c_str(), H5P_DEFAULT);
  if (exists < 0) throw h5_error("H5Lexists", child_name(parent, name));
  if (exists > 0)
    h5_check(H5Ldelete(parent, name.c_str(), H5P_DEFAULT), "H5Ldelete", child_name(parent, name));
}

H5Handle open_group(hid_t parent, const std::string& name) {
  return H5Handle(H5Gopen2(parent, name.c_str(), H5P_DEFAULT), H5Gclose, "H5Gopen2",
                  child_name(parent, name));
}

void write_attribute(hid_t object, const std::string& name, int value) {
  write_scalar_attribute(object, name, H5T_NATIVE_INT, &value);
}

void write_attribute(hid_t object, const std::string& name, std::uint32_t value) {
  write_scalar_attribute(object, name, H5T_NATIVE_UINT32, &value);
}

void write_attribute(hid_t object, const std::string& name, std::uint64_t value) {
  write_scalar_attribute(object, name, H5T_NATIVE_UINT64, &value);
}

void write_attribute(hid_t object, const std::string& name, double value) {
  write_scalar_attribute(object, name, H5T_NATIVE_DOUBLE, &value);
}

void write_attribute(hid_t object, const std::string& name, std::string_view value) {
  H5Handle type(H5Tcopy(H5T_C_S1), H5Tclose, "H5Tcopy", attribute_name(object, name));
  h5_check(H5Tset_size(type, H5T_VARIABLE), "H5Tset_size", attribute_name(object, name));
  h5_check(H5Tset_cset(type, H5T_CSET_UTF8), "H5Tset_cset", attribute_name(object, name));
  const std::string text(value);  // NUL-terminated, as HDF5 expects
  const char* pointer = text.c_str();
  write_scalar_attribute(object, name, type, &pointer);
}

H5Handle write_replicated(hid_t parent, const std::string& name, hid_t type,
                          const std::vector<hsize_t>& dims, const void* data, int rank,
                          hid_t transfer) {
  const std::string what = child_name(parent, name);
  const int n_dims = static_cast<int>(dims.size());
  H5Handle file_space = simple_space(dims.data(), n_dims, nullptr, what);
  H5Handle set(
      H5Dcreate2(parent, name.c_str(), type, file_space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
      H5Dclose, "H5Dcreate2", what);
  H5Handle memory_space = simple_space(dims.data(), n_dims, nullptr, what);
  hsize_t elements = 1;
  for (const hsize_t d : dims) elements *= d;
  // An empty dataset has no storage to write to, and every rank knows it is empty.
  if (elements == 0) return set;
  if (rank != 0) {
    select_none(file_space, what);
    select_none(memory_space, what);
  }
  h5_check(H5Dwrite(set, type, memory_space, file_space, transfer, data), "H5Dwrite", what);
  return set;
}

H5Handle create_extendable(hid_t parent, const std::string& name, hid_t type,
                           std::optional<hsize_t> columns) {
  const std::string what = child_name(parent, name);
  const int n_dims = columns ? 2 : 1;
  const hsize_t width = columns.value_or(1);
  const hsize_t dims[2] = {0, width};
  // A fixed dimension may not be smaller than its chunk, which is at least 1.
  const hsize_t max[2] = {H5S_UNLIMITED, std::max<hsize_t>(width, 1)};
  const hsize_t chunk_columns = std::clamp<hsize_t>(width, 1, chunk_elements);
  const hsize_t chunk[2] = {
      columns ? std::max<hsize_t>(1, chunk_elements / chunk_columns) : chunk_elements,
      chunk_columns};
  H5Handle space = simple_space(dims, n_dims, max, what);
  H5Handle properties(H5Pcreate(H5P_DATASET_CREATE), H5Pclose, "H5Pcreate", what);
  h5_check(H5Pset_chunk(properties, n_dims, chunk), "H5Pset_chunk", what);
  // Every element inside the extent gets written; filling chunks first would write them twice.
  h5_check(H5Pset_fill_time(properties, H5D_FILL_TIME_NEVER), "H5Pset_fill_time", what);
  return H5Handle(
      H5Dcreate2(parent, name.c_str(), type, space, H5P_DEFAULT, properties, H5P_DEFAULT), H5Dclose,
      "H5Dcreate2", what);
}

void append_rows(hid_t set, hid_t type, hsize_t old_rows, hsize_t total, hsize_t offset,
                 hsize_t count, const void* data, hid_t transfer) {
  const std::string what = h5_name(set);
  const hsize_t new_rows[1] = {old_rows + total};
  h5_check(H5Dset_extent(set, new_rows), "H5Dset_extent", what);
  H5Handle file_space(H5Dget_space(set), H5Sclose, "H5Dget_space", what);
  const hsize_t memory_rows[1] = {std::max<hsize_t>(count, 1)};
  H5Handle memory_space(H5Screate_simple(1, memory_rows, nullptr), H5Sclose, "H5Screate_simple",
                        what);
  if (count > 0) {
    const hsize_t start[1] = {old_rows + offset};
    const hsize_t n[1] = {count};
    h5_check(H5Sselect_hyperslab(file_space, H5S_SELECT_SET, start, nullptr, n, nullptr),
             "H5Sselect_hyperslab", what);
  } else {
    select_none(file_space, what);
    select_none(memory_space, what);
  }
  h5_check(H5Dwrite(set, type, memory_space, file_space, transfer, data), "H5Dwrite", what);
}

void append_columns(hid_t set, hsize_t old_rows, hsize_t rows, hsize_t n_columns,
                    std::span<const std::uint32_t> columns, const double* data, hid_t transfer) {
  const std::string what = h5_name(set);
  const hsize_t new_dims[2] = {old_rows + rows, n_columns};
  h5_check(H5Dset_extent(set, new_dims), "H5Dset_extent", what);
  H5Handle file_space(H5Dget_space(set), H5Sclose, "H5Dget_space", what);
  select_columns(file_space, old_rows, rows, columns, what);
  const hsize_t memory_dims[2] = {rows, std::max<hsize_t>(columns.size(), 1)};
  H5Handle memory_space(H5Screate_simple(2, memory_dims, nullptr), H5Sclose, "H5Screate_simple",
                        what);
  if (columns.empty()) select_none(memory_space, what);
  h5_check(H5Dwrite(set, H5T_NATIVE_DOUBLE, memory_space, file_space, transfer, data), "H5Dwrite",
           what);
}

H5Handle write_selected(hid_t parent, const std::string& name, hid_t type, hsize_t n,
                        std::span<const std::uint32_t> columns, const void* data, hid_t transfer) {
  const std::string what = child_name(parent, name);
  H5Handle file_space = simple_space(&n, 1, nullptr, what);
  H5Handle set(
      H5Dcreate2(parent, name.c_str(), type, file_space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
      H5Dclose, "H5Dcreate2", what);
  // An empty dataset has no storage to write to (HDF5 reports an address overflow).
  if (n == 0) return set;
  const std::vector<Run> runs = runs_of(columns);
  if (runs.empty()) select_none(file_space, what);
  for (std::size_t i = 0; i < runs.size(); ++i) {
    const hsize_t start = runs[i].first, count = runs[i].length;
    h5_check(H5Sselect_hyperslab(file_space, i == 0 ? H5S_SELECT_SET : H5S_SELECT_OR, &start,
                                 nullptr, &count, nullptr),
             "H5Sselect_hyperslab", what);
  }
  const hsize_t memory_n = std::max<hsize_t>(columns.size(), 1);
  H5Handle memory_space = simple_space(&memory_n, 1, nullptr, what);
  if (columns.empty()) select_none(memory_space, what);
  h5_check(H5Dwrite(set, type, memory_space, file_space, transfer, data), "H5Dwrite", what);
  return set;
}

void append_whole_rows(hid_t set, hid_t type, hsize_t old_rows, hsize_t rows, hsize_t columns,
                       hsize_t count, const void* data, hid_t transfer) {
  const std::string what = h5_name(set);
  const hsize_t new_dims[2] = {old_rows + rows, columns};
  h5_check(H5Dset_extent(set, new_dims), "H5Dset_extent", what);
  H5Handle file_space(H5Dget_space(set), H5Sclose, "H5Dget_space", what);
  const hsize_t memory_dims[2] = {std::max<hsize_t>(count, 1), columns};
  H5Handle memory_space(H5Screate_simple(2, memory_dims, nullptr), H5Sclose, "H5Screate_simple",
                        what);
  if (count > 0) {
    const hsize_t start[2] = {old_rows, 0};
    const hsize_t n[2] = {count, columns};
    h5_check(H5Sselect_hyperslab(file_space, H5S_SELECT_SET, start, nullptr, n, nullptr),
             "H5Sselect_hyperslab", what);
  } else {
    select_none(file_space, what);
    select_none(memory_space, what);
  }
  h5_check(H5Dwrite(set, type, memory_space, file_space, transfer, data), "H5Dwrite", what);
}

}  // namespace myelin
