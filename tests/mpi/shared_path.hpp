#pragma once

// Rank helpers for MPI tests, and a scratch file path that every rank agrees on.

#include <mpi.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <string>
#include <utility>

namespace myelin::test {

inline int world_rank() {
  int rank = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  return rank;
}

inline int world_size() {
  int size = 0;
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  return size;
}

// /tmp/myelin-test-<stem>-<pid>-<clock><suffix>, made unique by rank 0 and broadcast, so that
// concurrent test runs never share a file.
inline std::string shared_path(const std::string& stem, const std::string& suffix = ".h5") {
  std::array<char, 256> buffer{};
  if (world_rank() == 0) {
    const auto now = std::chrono::steady_clock::now().time_since_epoch().count();
    const std::string path = "/tmp/myelin-test-" + stem + "-" + std::to_string(getpid()) + "-" +
                             std::to_string(now) + suffix;
    path.copy(buffer.data(), buffer.size() - 1);
  }
  MPI_Bcast(buffer.data(), static_cast<int>(buffer.size()), MPI_CHAR, 0, MPI_COMM_WORLD);
  return buffer.data();
}

// Removes a shared scratch file (rank 0) when the test ends, even when it ends by an exception.
class RemovedAtExit {
 public:
  explicit RemovedAtExit(std::string path) : path_(std::move(path)) {}
  RemovedAtExit(const RemovedAtExit&) = delete;
  RemovedAtExit& operator=(const RemovedAtExit&) = delete;
  ~RemovedAtExit() {
    if (world_rank() == 0) unlink(path_.c_str());
  }

 private:
  std::string path_;
};

// True when `here` holds on every rank (collective).
inline bool on_every_rank(bool here) {
  int mine = here ? 1 : 0;
  int all = 0;
  MPI_Allreduce(&mine, &all, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
  return all == 1;
}

}  // namespace myelin::test
