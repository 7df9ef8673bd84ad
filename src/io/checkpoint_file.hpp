#pragma once

// The checkpoint file: one HDF5 file written collectively by every rank, each writing its own
// elements of 1-D datasets whose order is canonical (by gid, by synapse column), so that any
// split can read it back. The layout is the caller's (sim/simulation_state.cpp); this file
// knows datasets, attributes and how the file is made safe:
//
//  - written to PATH.tmp, then sealed and renamed over PATH, so a crash while writing leaves
//    the previous checkpoint intact;
//  - sealed: the file has a 512-byte HDF5 user block (ignored by HDF5) in which rank 0 writes,
//    after the collective close, "MYELIN-CHECKPOINT 1", the file's size and a hash of every byte
//    after the block; a reader checks both before HDF5 parses anything, so a truncated or
//    corrupted file is refused with a reason instead of crashing the HDF5 library.
//
// Every call is collective over the communicator unless it says otherwise. Failures throw
// InputError (reading: key "checkpoint") or IoError on every rank together.

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "comm/communicator.hpp"
#include "sim/state_store.hpp"

namespace myelin {

class CheckpointWriter final : public StateWriter {
 public:
  // Creates `path`.tmp (replacing any leftover).
  CheckpointWriter(std::string path, Communicator& comm);
  ~CheckpointWriter() override;
  CheckpointWriter(const CheckpointWriter&) = delete;
  CheckpointWriter& operator=(const CheckpointWriter&) = delete;

  // Attributes of the root group (every rank passes the same value).
  void attribute(const std::string& name, std::string_view value) override;
  void attribute(const std::string& name, std::uint64_t value) override;
  void attribute(const std::string& name, double value) override;

  // A 1-D dataset at `name` ("group/sub/set", groups made as needed) of `total` elements; this
  // rank writes `data` (its runs' elements, concatenated) at `runs` (ascending, disjoint from
  // every other rank's).
  void write(const std::string& name, std::uint64_t total, std::span<const ElementRun> runs,
             std::span<const double> data) override;
  void write(const std::string& name, std::uint64_t total, std::span<const ElementRun> runs,
             std::span<const std::uint64_t> data) override;
  void write(const std::string& name, std::uint64_t total, std::span<const ElementRun> runs,
             std::span<const std::int64_t> data) override;

  // Closes, seals and renames over `path`. Returns the file's size in bytes.
  std::uint64_t commit() override;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

class CheckpointReader final : public StateReader {
 public:
  // Checks the seal (rank 0), then opens the file on every rank. Throws InputError naming the
  // file and the reason (missing, not a checkpoint, truncated, corrupt) on every rank.
  CheckpointReader(std::string path, Communicator& comm);
  ~CheckpointReader() override;
  CheckpointReader(const CheckpointReader&) = delete;
  CheckpointReader& operator=(const CheckpointReader&) = delete;

  const std::string& path() const override;
  bool has_attribute(const std::string& name) const override;
  std::string string_attribute(const std::string& name) const override;
  std::uint64_t uint_attribute(const std::string& name) const override;
  double real_attribute(const std::string& name) const override;
  bool has(const std::string& name) const override;
  // Reads this rank's `runs` of dataset `name` (which must have `total` elements) into `out`.
  void read(const std::string& name, std::uint64_t total, std::span<const ElementRun> runs,
            std::span<double> out) override;
  void read(const std::string& name, std::uint64_t total, std::span<const ElementRun> runs,
            std::span<std::uint64_t> out) override;
  void read(const std::string& name, std::uint64_t total, std::span<const ElementRun> runs,
            std::span<std::int64_t> out) override;
  // Elements in dataset `name` (InputError when it is missing).
  std::uint64_t size(const std::string& name) const override;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The seal check alone, on this process (no HDF5): "" when the file is whole, else the reason.
std::string checkpoint_seal_problem(const std::string& path);

}  // namespace myelin
