#include "comm/mpi_communicator.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

namespace myelin {

namespace {

// Wire format of one spike: 8 bytes, (step inside the epoch) << 48 | (offset in 1/65535 of a
// step) << 32 | gid. Epochs are at most max_epoch_steps long and offsets are already quantised
// (quantise_offset), so the round trip is exact.
std::uint64_t pack(const Spike& s, Step epoch_begin) {
  const auto q = static_cast<std::uint64_t>(std::lround(s.offset * offset_quantum));
  return (static_cast<std::uint64_t>(s.step - epoch_begin) << 48) | (q << 32) | s.gid;
}
Spike unpack(std::uint64_t w, Step epoch_begin) {
  return {epoch_begin + static_cast<Step>(w >> 48), static_cast<Gid>(w & 0xffffffffu),
          static_cast<float>((w >> 32) & 0xffffu) / offset_quantum};
}

// The health record travels with the counts in one Allgather: fixed-size, trivially copyable.
struct WireHealth {
  std::int64_t count;
  std::int64_t failed;
  std::int64_t step;
  std::int64_t gid;
  std::int64_t variable;
  std::int64_t population;
  double value;
  std::int64_t stop_signal;
};

}  // namespace

void check_mpi(int code, const char* call) {
  if (code == MPI_SUCCESS) return;
  char text[MPI_MAX_ERROR_STRING];
  int length = 0;
  MPI_Error_string(code, text, &length);
  throw std::runtime_error(std::string(call) +
                           " failed: " + std::string(text, static_cast<std::size_t>(length)));
}

MpiCommunicator::MpiCommunicator(MPI_Comm comm, bool owned) : comm_(comm), owned_(owned) {
  check_mpi(MPI_Comm_rank(comm_, &rank_), "MPI_Comm_rank");
  check_mpi(MPI_Comm_size(comm_, &size_), "MPI_Comm_size");
  counts_.resize(static_cast<std::size_t>(size_));
  displacements_.resize(static_cast<std::size_t>(size_));
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

void MpiCommunicator::exchange(std::span<const Spike> local, Step epoch_begin, Step,
                               std::vector<Spike>& all, Health& health) {
  send_.resize(local.size());
  std::transform(local.begin(), local.end(), send_.begin(),
                 [&](const Spike& s) { return pack(s, epoch_begin); });

  const WireHealth mine{static_cast<std::int64_t>(local.size()),
                        health.failed ? 1 : 0,
                        health.step,
                        static_cast<std::int64_t>(health.gid),
                        static_cast<std::int64_t>(health.variable),
                        static_cast<std::int64_t>(health.population),
                        health.value,
                        health.stop_signal};
  std::vector<WireHealth> everyone(static_cast<std::size_t>(size_));
  const double wait_start = MPI_Wtime();
  check_mpi(MPI_Allgather(&mine, sizeof(WireHealth), MPI_BYTE, everyone.data(), sizeof(WireHealth),
                          MPI_BYTE, comm_),
            "MPI_Allgather");
  counters_.wait_seconds += MPI_Wtime() - wait_start;

  int total = 0;
  for (int r = 0; r < size_; ++r) {
    const auto& h = everyone[static_cast<std::size_t>(r)];
    counts_[static_cast<std::size_t>(r)] = static_cast<int>(h.count);
    displacements_[static_cast<std::size_t>(r)] = total;
    total += static_cast<int>(h.count);
    health.stop_signal = std::max(health.stop_signal, static_cast<int>(h.stop_signal));
    if (h.failed) {
      Health other;
      other.failed = true;
      other.step = h.step;
      other.gid = static_cast<Gid>(h.gid);
      other.variable = static_cast<std::uint32_t>(h.variable);
      other.population = static_cast<std::uint32_t>(h.population);
      other.value = h.value;
      health.merge(other);
    }
  }
  receive_.resize(static_cast<std::size_t>(total));
  const double transfer_start = MPI_Wtime();
  check_mpi(
      MPI_Allgatherv(send_.data(), static_cast<int>(send_.size()), MPI_UINT64_T, receive_.data(),
                     counts_.data(), displacements_.data(), MPI_UINT64_T, comm_),
      "MPI_Allgatherv");
  counters_.transfer_seconds += MPI_Wtime() - transfer_start;
  all.resize(receive_.size());
  std::transform(receive_.begin(), receive_.end(), all.begin(),
                 [&](std::uint64_t w) { return unpack(w, epoch_begin); });

  ++counters_.epochs;
  counters_.bytes_sent += send_.size() * sizeof(std::uint64_t);
  counters_.bytes_received += receive_.size() * sizeof(std::uint64_t);
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
