#include "io/output_commit.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>
#include <utility>

#include "myelin/errors.hpp"

namespace myelin {

namespace {

std::string os_reason(int error) {
  return std::strerror(error);
}

std::string read_holder(int fd) {
  char text[64] = {};
  const ssize_t n = ::pread(fd, text, sizeof(text) - 1, 0);
  std::string holder = n > 0 ? std::string(text, static_cast<std::size_t>(n)) : std::string();
  while (!holder.empty() && (holder.back() == '\n' || holder.back() == ' ')) holder.pop_back();
  return holder.empty() ? "an unknown process" : holder;
}

}  // namespace

std::string partial_path(const std::string& path) {
  return path + ".partial";
}

OutputLock::OutputLock(const std::string& path, long reserve_bytes) : lock_path_(path + ".lock") {
  // The lock file may be unlinked by the run that holds it between our open and our flock: then
  // the lock we got is on a file nobody else sees, so try again with the new file.
  for (int attempt = 0; attempt < 100; ++attempt) {
    const int fd = ::open(lock_path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0)
      throw input_error(
          "output.file", path,
          "cannot create the lock file " + lock_path_ + " (" + os_reason(errno) + ")");
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
      const int error = errno;
      const std::string holder = read_holder(fd);
      ::close(fd);
      if (error == EWOULDBLOCK)
        throw input_error(
            "output.file", path,
            "another run is writing this file (" + lock_path_ + " is held by " + holder + ")");
      throw input_error("output.file", path,
                        "cannot lock " + lock_path_ + " (" + os_reason(error) + ")");
    }
    struct stat held {};
    struct stat named {};
    if (::fstat(fd, &held) == 0 && ::stat(lock_path_.c_str(), &named) == 0 &&
        held.st_ino == named.st_ino && held.st_dev == named.st_dev) {
      fd_ = fd;
      char host[256] = {};
      ::gethostname(host, sizeof(host) - 1);
      const std::string holder = "pid " + std::to_string(::getpid()) + " on " + host + "\n";
      if (::ftruncate(fd_, 0) == 0) {
        [[maybe_unused]] const ssize_t written = ::pwrite(fd_, holder.data(), holder.size(), 0);
      }
      if (reserve_bytes > 0) {
        const int error = ::posix_fallocate(fd_, 4096, reserve_bytes);
        if (error != 0) {
          release();
          throw IoError("cannot write " + lock_path_ + ": " + os_reason(error) + " (a run keeps " +
                        std::to_string(reserve_bytes / 1024) +
                        " KiB there, to close its file cleanly after a full disk)");
        }
      }
      return;
    }
    ::close(fd);
  }
  throw input_error("output.file", path, "cannot lock " + lock_path_ + " (it keeps changing)");
}

OutputLock::OutputLock(OutputLock&& other) noexcept
    : lock_path_(std::move(other.lock_path_)), fd_(std::exchange(other.fd_, -1)) {}

OutputLock& OutputLock::operator=(OutputLock&& other) noexcept {
  if (this != &other) {
    release();
    lock_path_ = std::move(other.lock_path_);
    fd_ = std::exchange(other.fd_, -1);
  }
  return *this;
}

OutputLock::~OutputLock() {
  release();
}

void OutputLock::free_reserve() noexcept {
  if (fd_ >= 0) [[maybe_unused]]
    const int ignored = ::ftruncate(fd_, 4096);
}

void OutputLock::release() noexcept {
  if (fd_ < 0) return;
  // Unlink while holding the lock: a run waiting on this inode sees it vanish and retries.
  ::unlink(lock_path_.c_str());
  ::close(fd_);
  fd_ = -1;
}

void commit_output(const std::string& from, const std::string& to) {
  const int fd = ::open(from.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw IoError("cannot open " + from + " to commit it: " + os_reason(errno));
  if (::fsync(fd) != 0) {
    const int error = errno;
    ::close(fd);
    throw IoError("cannot write " + from + ": " + os_reason(error));
  }
  ::close(fd);
  if (std::rename(from.c_str(), to.c_str()) != 0)
    throw IoError("cannot rename " + from + " to " + to + ": " + os_reason(errno));
}

std::string describe_write_failure(const std::string& file, const std::string& detail) {
  const auto slash = file.find_last_of('/');
  const std::string dir = slash == std::string::npos ? "." : file.substr(0, slash + 1);
  const std::string probe = dir + "/.myelin-probe-" + std::to_string(::getpid());
  int error = 0;
  const int fd = ::open(probe.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) {
    error = errno;
  } else {
    const std::string block(1 << 16, '\0');
    if (::write(fd, block.data(), block.size()) != static_cast<ssize_t>(block.size()))
      error = errno != 0 ? errno : ENOSPC;
    else if (::fsync(fd) != 0)
      error = errno;
    ::close(fd);
    ::unlink(probe.c_str());
  }
  return "cannot write " + file + ": " + (error != 0 ? os_reason(error) : detail);
}

}  // namespace myelin
