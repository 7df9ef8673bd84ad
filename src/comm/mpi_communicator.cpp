#include "comm/mpi_communicator.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

#include "myelin/errors.hpp"

namespace myelin {

void check_mpi(int code, const char* call) {
  if (code == MPI_SUCCESS) return;
  char text[MPI_MAX_ERROR_STRING];
  int length = 0;
  MPI_Error_string(code, text, &length);
  throw MpiError(std::string(call) +
                 " failed: " + std::string(text, static_cast<std::size_t>(length)));
}

MPI_Comm native_handle(const Communicator& comm) {
  const auto* mpi = dynamic_cast<const MpiCommunicator*>(&comm);
  return mpi != nullptr ? mpi->native() : MPI_COMM_SELF;
}

MpiCommunicator::MpiCommunicator(MPI_Comm comm, bool owned) : comm_(comm), owned_(owned) {
  check_mpi(MPI_Comm_rank(comm_, &rank_), "MPI_Comm_rank");
  check_mpi(MPI_Comm_size(comm_, &size_), "MPI_Comm_size");
}

MpiCommunicator::~MpiCommunicator() {
  if (owned_) MPI_Comm_free(&comm_);
}

std::unique_ptr<Communicator> MpiCommunicator::split(int color) {
  MPI_Comm group = MPI_COMM_NULL;
  check_mpi(MPI_Comm_split(comm_, color, rank_, &group), "MPI_Comm_split");
  check_mpi(MPI_Comm_set_errhandler(group, MPI_ERRORS_RETURN), "MPI_Comm_set_errhandler");
  return std::make_unique<MpiCommunicator>(group, true);
}

int MpiCommunicator::first_failed_rank(bool failed) {
  int mine = failed ? rank_ : size_;
  int lowest = size_;
  check_mpi(MPI_Allreduce(&mine, &lowest, 1, MPI_INT, MPI_MIN, comm_), "MPI_Allreduce");
  return lowest == size_ ? -1 : lowest;
}

std::string MpiCommunicator::broadcast(const std::string& text, int root) {
  std::uint64_t length = text.size();
  check_mpi(MPI_Bcast(&length, 1, MPI_UINT64_T, root, comm_), "MPI_Bcast");
  std::string out = rank_ == root ? text : std::string(length, '\0');
  check_mpi(MPI_Bcast(out.data(), static_cast<int>(length), MPI_CHAR, root, comm_), "MPI_Bcast");
  return out;
}

std::vector<double> MpiCommunicator::allgather(double value) {
  std::vector<double> out(static_cast<std::size_t>(size_));
  check_mpi(MPI_Allgather(&value, 1, MPI_DOUBLE, out.data(), 1, MPI_DOUBLE, comm_),
            "MPI_Allgather");
  return out;
}

std::uint64_t MpiCommunicator::sum(std::uint64_t value) {
  std::uint64_t out = 0;
  check_mpi(MPI_Allreduce(&value, &out, 1, MPI_UINT64_T, MPI_SUM, comm_), "MPI_Allreduce");
  return out;
}

std::vector<std::uint64_t> MpiCommunicator::sum_each(std::vector<std::uint64_t> values) {
  std::vector<std::uint64_t> out(values.size(), 0);
  check_mpi(MPI_Allreduce(values.data(), out.data(), static_cast<int>(values.size()), MPI_UINT64_T,
                          MPI_SUM, comm_),
            "MPI_Allreduce");
  return out;
}

double MpiCommunicator::max(double value) {
  double out = 0.0;
  check_mpi(MPI_Allreduce(&value, &out, 1, MPI_DOUBLE, MPI_MAX, comm_), "MPI_Allreduce");
  return out;
}

std::vector<std::int64_t> MpiCommunicator::max_each(std::vector<std::int64_t> values) {
  std::vector<std::int64_t> out(values.size(), 0);
  check_mpi(MPI_Allreduce(values.data(), out.data(), static_cast<int>(values.size()), MPI_INT64_T,
                          MPI_MAX, comm_),
            "MPI_Allreduce");
  return out;
}

std::uint64_t MpiCommunicator::exclusive_sum(std::uint64_t value) {
  std::uint64_t out = 0;
  check_mpi(MPI_Exscan(&value, &out, 1, MPI_UINT64_T, MPI_SUM, comm_), "MPI_Exscan");
  return rank_ == 0 ? 0 : out;  // MPI_Exscan leaves rank 0's result undefined
}

int MpiCommunicator::ranks_on_node() {
  MPI_Comm node = MPI_COMM_NULL;
  check_mpi(MPI_Comm_split_type(comm_, MPI_COMM_TYPE_SHARED, 0, MPI_INFO_NULL, &node),
            "MPI_Comm_split_type");
  int size = 1;
  const int code = MPI_Comm_size(node, &size);
  MPI_Comm_free(&node);
  check_mpi(code, "MPI_Comm_size");
  return size;
}

void MpiCommunicator::barrier() {
  check_mpi(MPI_Barrier(comm_), "MPI_Barrier");
}

namespace {

// MPI counts are int: larger messages are a caller's bug (construction routes in chunks).
int mpi_count(std::uint64_t n, const char* call) {
  if (n > static_cast<std::uint64_t>(std::numeric_limits<int>::max()))
    throw std::length_error(std::string(call) + ": " + std::to_string(n) +
                            " words exceed the MPI count limit");
  return static_cast<int>(n);
}

}  // namespace

std::vector<std::uint32_t> MpiCommunicator::allgatherv(std::span<const std::uint32_t> mine) {
  const int count = mpi_count(mine.size(), "MPI_Allgatherv");
  std::vector<int> counts(static_cast<std::size_t>(size_));
  check_mpi(MPI_Allgather(&count, 1, MPI_INT, counts.data(), 1, MPI_INT, comm_), "MPI_Allgather");
  std::vector<int> displacements(counts.size());
  std::uint64_t total = 0;
  for (std::size_t r = 0; r < counts.size(); ++r) {
    displacements[r] = mpi_count(total, "MPI_Allgatherv");
    total += static_cast<std::uint64_t>(counts[r]);
  }
  std::vector<std::uint32_t> out(total);
  check_mpi(MPI_Allgatherv(mine.data(), count, MPI_UINT32_T, out.data(), counts.data(),
                           displacements.data(), MPI_UINT32_T, comm_),
            "MPI_Allgatherv");
  return out;
}

std::vector<std::uint32_t> MpiCommunicator::alltoallv(std::span<const std::uint32_t> send,
                                                      std::span<const std::uint64_t> counts) {
  const auto n = static_cast<std::size_t>(size_);
  std::vector<int> send_counts(n), send_displacements(n), receive_counts(n),
      receive_displacements(n);
  std::uint64_t offset = 0;
  for (std::size_t r = 0; r < n; ++r) {
    send_counts[r] = mpi_count(counts[r], "MPI_Alltoallv");
    send_displacements[r] = mpi_count(offset, "MPI_Alltoallv");
    offset += counts[r];
  }
  check_mpi(MPI_Alltoall(send_counts.data(), 1, MPI_INT, receive_counts.data(), 1, MPI_INT, comm_),
            "MPI_Alltoall");
  std::uint64_t total = 0;
  for (std::size_t r = 0; r < n; ++r) {
    receive_displacements[r] = mpi_count(total, "MPI_Alltoallv");
    total += static_cast<std::uint64_t>(receive_counts[r]);
  }
  std::vector<std::uint32_t> out(total);
  check_mpi(MPI_Alltoallv(send.data(), send_counts.data(), send_displacements.data(), MPI_UINT32_T,
                          out.data(), receive_counts.data(), receive_displacements.data(),
                          MPI_UINT32_T, comm_),
            "MPI_Alltoallv");
  return out;
}

void MpiCommunicator::bitwise_or(std::span<std::uint64_t> words) {
  check_mpi(MPI_Allreduce(MPI_IN_PLACE, words.data(), mpi_count(words.size(), "MPI_Allreduce"),
                          MPI_UINT64_T, MPI_BOR, comm_),
            "MPI_Allreduce");
}

}  // namespace myelin
