#pragma once

// The one narrow interface through which the simulation talks to other ranks (after Arbor's
// distributed_context): the few collectives a run needs besides the spike exchange (which is
// its own subsystem: comm/spike_exchange.hpp).
// LocalCommunicator runs without MPI (unit tests, one process); MpiCommunicator wraps a
// communicator.

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "myelin/types.hpp"

namespace myelin {

class Communicator {
 public:
  virtual ~Communicator() = default;
  virtual int rank() const = 0;
  virtual int size() const = 0;

  // Agreement on an error before any collective that could hang: returns the lowest rank for
  // which `failed` is true, or -1 when none.
  virtual int first_failed_rank(bool failed) = 0;
  // Broadcast of a string from `root` (error messages, so exactly one rank prints).
  virtual std::string broadcast(const std::string& text, int root) = 0;

  virtual std::vector<double> allgather(double value) = 0;
  virtual std::uint64_t sum(std::uint64_t value) = 0;
  // Element-wise sums over ranks (integers: exact and order-free, so split-independent).
  virtual std::vector<std::uint64_t> sum_each(std::vector<std::uint64_t> values) = 0;
  virtual double max(double value) = 0;
  // Element-wise maxima over ranks (agreement checks: max of n and of -n agree iff all equal).
  virtual std::vector<std::int64_t> max_each(std::vector<std::int64_t> values) = 0;
  // Sum of `value` over the lower ranks (0 on rank 0): where this rank's rows start in a file.
  virtual std::uint64_t exclusive_sum(std::uint64_t value) = 0;
  virtual void barrier() = 0;
  // Ranks of this communicator that share this rank's node (memory checks); 1 without MPI.
  virtual int ranks_on_node() = 0;

  // Collectives of network construction and graph measures (never per epoch).
  // Every rank's words, concatenated in rank order.
  virtual std::vector<std::uint32_t> allgatherv(std::span<const std::uint32_t> mine) = 0;
  // `send` holds the words for rank 0, then those for rank 1, ...: counts[r] words for rank r.
  // Returns the words every rank sent to this one, in rank order.
  virtual std::vector<std::uint32_t> alltoallv(std::span<const std::uint32_t> send,
                                               std::span<const std::uint64_t> counts) = 0;
  // Element-wise OR over ranks, in place (distributed breadth-first search on bitsets).
  virtual void bitwise_or(std::span<std::uint64_t> words) = 0;
  // Collective: the ranks that pass the same `color` form a new communicator, ordered as here
  // (sweeps run whole simulations in such groups).
  virtual std::unique_ptr<Communicator> split(int color) = 0;
};

class LocalCommunicator final : public Communicator {
 public:
  int rank() const override { return 0; }
  int size() const override { return 1; }
  int first_failed_rank(bool failed) override { return failed ? 0 : -1; }
  std::string broadcast(const std::string& text, int) override { return text; }
  std::vector<double> allgather(double value) override { return {value}; }
  std::uint64_t sum(std::uint64_t value) override { return value; }
  std::vector<std::uint64_t> sum_each(std::vector<std::uint64_t> values) override { return values; }
  double max(double value) override { return value; }
  std::vector<std::int64_t> max_each(std::vector<std::int64_t> values) override { return values; }
  std::uint64_t exclusive_sum(std::uint64_t) override { return 0; }
  void barrier() override {}
  int ranks_on_node() override { return 1; }
  std::vector<std::uint32_t> allgatherv(std::span<const std::uint32_t> mine) override {
    return {mine.begin(), mine.end()};
  }
  std::vector<std::uint32_t> alltoallv(std::span<const std::uint32_t> send,
                                       std::span<const std::uint64_t>) override {
    return {send.begin(), send.end()};
  }
  void bitwise_or(std::span<std::uint64_t>) override {}
  std::unique_ptr<Communicator> split(int) override {
    return std::make_unique<LocalCommunicator>();
  }
};

}  // namespace myelin
