#pragma once

// Where a Simulation writes and reads its dynamic state (a checkpoint), seen from sim: named
// attributes and 1-D datasets in an order that does not depend on the split, each rank
// writing or reading its own runs of elements. io/checkpoint_file.hpp implements them on one
// HDF5 file; sim never knows the format. Every call is collective.

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace myelin {

// Version 2: the postsynaptic STDP traces moved from the synapses to the targets' histories.
// Version 3: the white noise became four ziggurat normals per Philox block (LIF spare_noise_1..3
// instead of spare_noise), so an older checkpoint would resume on another random stream.
inline constexpr std::uint64_t checkpoint_format_version = 3;

// Elements [start, start + length) of a 1-D dataset.
struct ElementRun {
  std::uint64_t start = 0;
  std::uint64_t length = 0;
};

// Appends [start, start + length), merged with the last run when they touch.
inline void add_run(std::vector<ElementRun>& runs, std::uint64_t start, std::uint64_t length) {
  if (length == 0) return;
  if (!runs.empty() && runs.back().start + runs.back().length == start)
    runs.back().length += length;
  else
    runs.push_back({start, length});
}

class StateWriter {
 public:
  virtual ~StateWriter() = default;
  // Attributes of the whole state (every rank passes the same value).
  virtual void attribute(const std::string& name, std::string_view value) = 0;
  virtual void attribute(const std::string& name, std::uint64_t value) = 0;
  virtual void attribute(const std::string& name, double value) = 0;
  // A 1-D dataset `name` of `total` elements; this rank writes `data` (its runs' elements,
  // concatenated) at `runs` (ascending, disjoint from every other rank's).
  virtual void write(const std::string& name, std::uint64_t total, std::span<const ElementRun> runs,
                     std::span<const double> data) = 0;
  virtual void write(const std::string& name, std::uint64_t total, std::span<const ElementRun> runs,
                     std::span<const std::uint64_t> data) = 0;
  virtual void write(const std::string& name, std::uint64_t total, std::span<const ElementRun> runs,
                     std::span<const std::int64_t> data) = 0;
  // Makes the state durable and replaces any earlier one atomically; returns its size in bytes.
  virtual std::uint64_t commit() = 0;
};

class StateReader {
 public:
  virtual ~StateReader() = default;
  virtual const std::string& path() const = 0;
  virtual bool has_attribute(const std::string& name) const = 0;
  virtual std::string string_attribute(const std::string& name) const = 0;
  virtual std::uint64_t uint_attribute(const std::string& name) const = 0;
  virtual double real_attribute(const std::string& name) const = 0;
  virtual bool has(const std::string& name) const = 0;
  // Reads this rank's `runs` of dataset `name` (which must have `total` elements) into `out`.
  virtual void read(const std::string& name, std::uint64_t total, std::span<const ElementRun> runs,
                    std::span<double> out) = 0;
  virtual void read(const std::string& name, std::uint64_t total, std::span<const ElementRun> runs,
                    std::span<std::uint64_t> out) = 0;
  virtual void read(const std::string& name, std::uint64_t total, std::span<const ElementRun> runs,
                    std::span<std::int64_t> out) = 0;
  // Elements in dataset `name` (InputError when it is missing).
  virtual std::uint64_t size(const std::string& name) const = 0;
};

}  // namespace myelin
