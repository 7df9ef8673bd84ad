#pragma once

#include <mpi.h>

#include "comm/communicator.hpp"

namespace myelin {

// Throws MpiError naming the MPI call and MPI's reason when it does not return MPI_SUCCESS
// (the communicator's error handler is set to MPI_ERRORS_RETURN). Every MPI call of Myelin goes
// through it, and every one is in src/comm.
void check_mpi(int code, const char* call);

// The MPI communicator behind `comm` for libraries that take one (HDF5's MPI-IO driver):
// MPI_COMM_SELF for a LocalCommunicator, which is one process on its own.
MPI_Comm native_handle(const Communicator& comm);

class MpiCommunicator final : public Communicator {
 public:
  // `owned`: this object frees the communicator (those made by split).
  explicit MpiCommunicator(MPI_Comm comm, bool owned = false);
  ~MpiCommunicator() override;
  MpiCommunicator(const MpiCommunicator&) = delete;
  MpiCommunicator& operator=(const MpiCommunicator&) = delete;
  static MpiCommunicator world() { return MpiCommunicator(MPI_COMM_WORLD); }
  MPI_Comm native() const { return comm_; }

  int rank() const override { return rank_; }
  int size() const override { return size_; }
  int first_failed_rank(bool failed) override;
  std::string broadcast(const std::string& text, int root) override;
  std::vector<double> allgather(double value) override;
  std::uint64_t sum(std::uint64_t value) override;
  std::vector<std::uint64_t> sum_each(std::vector<std::uint64_t> values) override;
  double max(double value) override;
  std::vector<std::int64_t> max_each(std::vector<std::int64_t> values) override;
  std::uint64_t exclusive_sum(std::uint64_t value) override;
  void barrier() override;
  int ranks_on_node() override;
  std::vector<std::uint32_t> allgatherv(std::span<const std::uint32_t> mine) override;
  std::vector<std::uint32_t> alltoallv(std::span<const std::uint32_t> send,
                                       std::span<const std::uint64_t> counts) override;
  void bitwise_or(std::span<std::uint64_t> words) override;
  std::unique_ptr<Communicator> split(int color) override;

 private:
  MPI_Comm comm_;
  bool owned_ = false;
  int rank_ = 0;
  int size_ = 1;
};

}  // namespace myelin
