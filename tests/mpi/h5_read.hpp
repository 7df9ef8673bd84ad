#pragma once

// Serial reading of a result file with the plain HDF5 C API (default file access, no MPI-IO),
// for tests that check what the parallel writer produced.

#include <hdf5.h>

#include <optional>
#include <string>
#include <vector>

#include "io/h5_handle.hpp"

namespace myelin::test {

inline H5Handle open_serial(const std::string& path) {
  return H5Handle(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose, "H5Fopen", path);
}

// Identifiers still open anywhere in the library (files, groups, datasets, types, attributes):
// 0 after a writer is gone, whether it closed normally or by an exception.
inline ssize_t open_hdf5_objects() {
  return H5Fget_obj_count(H5F_OBJ_ALL, H5F_OBJ_ALL);
}

inline bool exists(hid_t file, const std::string& path) {
  return H5Lexists(file, path.c_str(), H5P_DEFAULT) > 0;
}

inline bool has_attribute(hid_t file, const std::string& object, const std::string& name) {
  return H5Aexists_by_name(file, object.c_str(), name.c_str(), H5P_DEFAULT) > 0;
}

inline std::vector<hsize_t> shape(hid_t file, const std::string& path,
                                  std::vector<hsize_t>* max_dims = nullptr) {
  const H5Handle set(H5Dopen2(file, path.c_str(), H5P_DEFAULT), H5Dclose, "H5Dopen2", path);
  const H5Handle space(H5Dget_space(set), H5Sclose, "H5Dget_space", path);
  const int rank = H5Sget_simple_extent_ndims(space);
  std::vector<hsize_t> dims(static_cast<std::size_t>(rank)), max(dims.size());
  H5Sget_simple_extent_dims(space, dims.data(), max.data());
  if (max_dims != nullptr) *max_dims = max;
  return dims;
}

inline bool chunked(hid_t file, const std::string& path) {
  const H5Handle set(H5Dopen2(file, path.c_str(), H5P_DEFAULT), H5Dclose, "H5Dopen2", path);
  const H5Handle plist(H5Dget_create_plist(set), H5Pclose, "H5Dget_create_plist", path);
  return H5Pget_layout(plist) == H5D_CHUNKED;
}

template <typename T>
std::vector<T> read_dataset(hid_t file, const std::string& path, hid_t type) {
  const H5Handle set(H5Dopen2(file, path.c_str(), H5P_DEFAULT), H5Dclose, "H5Dopen2", path);
  hsize_t elements = 1;
  for (const hsize_t d : shape(file, path)) elements *= d;
  std::vector<T> values(elements);
  if (elements > 0)
    h5_check(H5Dread(set, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()), "H5Dread", path);
  return values;
}

template <typename T>
std::optional<T> read_attribute(hid_t file, const std::string& object, const std::string& name,
                                hid_t type) {
  if (!has_attribute(file, object, name)) return std::nullopt;
  const H5Handle attribute(
      H5Aopen_by_name(file, object.c_str(), name.c_str(), H5P_DEFAULT, H5P_DEFAULT), H5Aclose,
      "H5Aopen_by_name", object + " " + name);
  T value{};
  h5_check(H5Aread(attribute, type, &value), "H5Aread", object + " " + name);
  return value;
}

// The stored class of an attribute, to check that e.g. `seed` is an integer.
inline H5T_class_t attribute_class(hid_t file, const std::string& object, const std::string& name) {
  const H5Handle attribute(
      H5Aopen_by_name(file, object.c_str(), name.c_str(), H5P_DEFAULT, H5P_DEFAULT), H5Aclose,
      "H5Aopen_by_name", object + " " + name);
  const H5Handle type(H5Aget_type(attribute), H5Tclose, "H5Aget_type", name);
  return H5Tget_class(type);
}

inline std::optional<std::string> read_string_attribute(hid_t file, const std::string& object,
                                                        const std::string& name) {
  if (!has_attribute(file, object, name)) return std::nullopt;
  const H5Handle attribute(
      H5Aopen_by_name(file, object.c_str(), name.c_str(), H5P_DEFAULT, H5P_DEFAULT), H5Aclose,
      "H5Aopen_by_name", object + " " + name);
  const H5Handle type(H5Aget_type(attribute), H5Tclose, "H5Aget_type", name);
  if (H5Tget_class(type) != H5T_STRING) return std::nullopt;
  if (H5Tis_variable_str(type) > 0) {
    char* text = nullptr;
    h5_check(H5Aread(attribute, type, static_cast<void*>(&text)), "H5Aread", name);
    std::string out = text != nullptr ? text : "";
    H5free_memory(text);
    return out;
  }
  std::string out(H5Tget_size(type), '\0');
  h5_check(H5Aread(attribute, type, out.data()), "H5Aread", name);
  return out.substr(0, out.find('\0'));
}

}  // namespace myelin::test
