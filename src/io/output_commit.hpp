#pragma once

// A result appears at its path only when the run that was asked for ends: the file is written
// under `<path>.partial` and renamed over `<path>` at the end (keeping an older file until then),
// and `<path>.lock` keeps a second run from writing the same path at the same time. The lock is
// an flock(2) on that file, held by one process (rank 0), so the kernel releases it when the
// process dies, however it dies: a stale lock file is harmless.

#include <string>

namespace myelin {

// Disk space held back in the lock file while a run writes (see OutputLock).
constexpr long close_reserve_bytes = 256 * 1024;

// Where a run writes before the result is committed: `<path>.partial`.
std::string partial_path(const std::string& path);

class OutputLock {
 public:
  OutputLock() = default;
  // Takes the lock for `path`, or throws InputError
  // `output.file = <path>: another run is writing it (<path>.lock held by pid N)`. The lock file
  // also reserves `reserve_bytes` of disk space (IoError when the disk cannot hold them): after
  // a full disk, free_reserve() gives HDF5 the room it needs to close the file cleanly.
  explicit OutputLock(const std::string& path, long reserve_bytes = 0);
  OutputLock(OutputLock&& other) noexcept;
  OutputLock& operator=(OutputLock&& other) noexcept;
  OutputLock(const OutputLock&) = delete;
  OutputLock& operator=(const OutputLock&) = delete;
  // Removes the lock file and releases the lock.
  ~OutputLock();
  void free_reserve() noexcept;

 private:
  void release() noexcept;
  std::string lock_path_;
  int fd_ = -1;
};

// Makes `from` durable (fsync) and renames it to `to` atomically; throws IoError naming the
// file and the OS reason.
void commit_output(const std::string& from, const std::string& to);

// `cannot write <file>: <OS reason>` after a failed write to `file`. HDF5 and MPI-IO report a
// failed write without the errno, so the reason comes from writing and syncing a small probe
// file next to `file` (full disk, quota, vanished directory, read-only file system); when the
// probe succeeds, `detail` (HDF5's message) is the reason.
std::string describe_write_failure(const std::string& file, const std::string& detail);

}  // namespace myelin
