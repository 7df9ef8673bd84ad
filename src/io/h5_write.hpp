#pragma once

// Building blocks of the collective result-file writer. Every function here is collective over
// the ranks that opened the file: all call it in the same order with the same shared arguments
// (parallel HDF5 changes metadata only when every rank asks for the identical change).

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "io/h5_handle.hpp"

namespace myelin {

template <typename T>
hid_t native_type();
template <>
inline hid_t native_type<int>() {
  return H5T_NATIVE_INT;
}
template <>
inline hid_t native_type<std::uint32_t>() {
  return H5T_NATIVE_UINT32;
}
template <>
inline hid_t native_type<std::uint64_t>() {
  return H5T_NATIVE_UINT64;
}
template <>
inline hid_t native_type<double>() {
  return H5T_NATIVE_DOUBLE;
}

// File access for a result file that a SIGKILL may stop at any moment: HDF5 keeps dirty
// metadata in its cache until H5Fflush instead of writing it out whenever its cache syncs or
// evicts (a superblock written there can name an end of file that the raw data written after it
// has not reached yet: such a file does not open). Result files' metadata is small (object
// headers and chunk indices: about 1 KiB per 128 KiB chunk of data).
void hold_metadata_until_flush(hid_t access, const std::string& path);

H5Handle create_group(hid_t parent, const std::string& name);
H5Handle open_group(hid_t parent, const std::string& name);
// Unlinks `parent`/`name` when it exists (a dataset about to be written anew).
void remove_if_present(hid_t parent, const std::string& name);

// Scalar attributes, created or overwritten in place; every rank passes the same value.
void write_attribute(hid_t object, const std::string& name, int value);
void write_attribute(hid_t object, const std::string& name, std::uint32_t value);
void write_attribute(hid_t object, const std::string& name, std::uint64_t value);
void write_attribute(hid_t object, const std::string& name, double value);
// Variable-length UTF-8: no 64 KiB object-header limit for long config texts, and h5py reads it
// as str, so `attrs["sorting"] == "by_time"` holds in Python.
void write_attribute(hid_t object, const std::string& name, std::string_view value);

// A fixed-shape dataset whose whole content every rank holds. Rank 0 writes it; the others take
// part with an empty selection, so no two ranks write the same bytes.
H5Handle write_replicated(hid_t parent, const std::string& name, hid_t type,
                          const std::vector<hsize_t>& dims, const void* data, int rank,
                          hid_t transfer);

template <typename T>
H5Handle write_replicated(hid_t parent, const std::string& name, std::span<const T> data,
                          const std::vector<hsize_t>& dims, int rank, hid_t transfer) {
  return write_replicated(parent, name, native_type<T>(), dims, data.data(), rank, transfer);
}

// A 1-D dataset of `n` elements written collectively, each rank its `columns` (ascending,
// disjoint between ranks) from `data` (one element per column).
H5Handle write_selected(hid_t parent, const std::string& name, hid_t type, hsize_t n,
                        std::span<const std::uint32_t> columns, const void* data, hid_t transfer);

// An empty chunked dataset that grows along its first dimension: 1-D when `columns` is empty,
// else rows x columns.
H5Handle create_extendable(hid_t parent, const std::string& name, hid_t type,
                           std::optional<hsize_t> columns);

// Grows the 1-D `set` from `old_rows` to `old_rows + total` rows, then writes this rank's
// `count` rows at `old_rows + offset` (count 0: an empty selection, but still the write call).
void append_rows(hid_t set, hid_t type, hsize_t old_rows, hsize_t total, hsize_t offset,
                 hsize_t count, const void* data, hid_t transfer);

// Grows the 2-D float64 `set` from `old_rows` to `old_rows + rows` rows, then writes this
// rank's `columns` (ascending) of the new rows. `data` is row-major (row, index in `columns`).
void append_columns(hid_t set, hsize_t old_rows, hsize_t rows, hsize_t n_columns,
                    std::span<const std::uint32_t> columns, const double* data, hid_t transfer);

// Grows the 2-D `set` from `old_rows` to `old_rows + rows` rows of `columns`; this rank writes
// `count` whole rows (all of them on one rank, none on the others: replicated data).
void append_whole_rows(hid_t set, hid_t type, hsize_t old_rows, hsize_t rows, hsize_t columns,
                       hsize_t count, const void* data, hid_t transfer);

}  // namespace myelin
