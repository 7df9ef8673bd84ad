// LD_PRELOAD shim for integration.kill_after_superblock: SIGKILLs the process right after its
// Nth write that covers byte 0 of the file named by MYELIN_TEST_KILL_FILE (HDF5 keeps its
// superblock, which names the end of file, at byte 0). That is the moment of a flush where a
// file whose end HDF5 has not written yet says it is longer than it is, the one a random kill
// rarely hits. MYELIN_TEST_KILL_AT = N (1 is the first such write). Every other write passes.

#include <dlfcn.h>
#include <signal.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <string>

namespace {

std::atomic<int> superblock_writes{0};

// True when fd is the watched file (its path ends with MYELIN_TEST_KILL_FILE).
bool watched(int fd) {
  const char* name = std::getenv("MYELIN_TEST_KILL_FILE");
  if (name == nullptr || *name == '\0') return false;
  std::array<char, 4096> target{};
  const std::string link = "/proc/self/fd/" + std::to_string(fd);
  const ssize_t n = ::readlink(link.c_str(), target.data(), target.size() - 1);
  if (n <= 0) return false;
  const std::size_t length = std::strlen(name);
  const auto size = static_cast<std::size_t>(n);
  return size >= length && std::memcmp(target.data() + size - length, name, length) == 0;
}

void after_write(int fd, off_t offset, ssize_t written) {
  if (written <= 0 || offset != 0 || !watched(fd)) return;
  const char* at = std::getenv("MYELIN_TEST_KILL_AT");
  const int n = at == nullptr ? 0 : std::atoi(at);
  if (n > 0 && ++superblock_writes == n) ::kill(::getpid(), SIGKILL);
}

template <typename F>
F real(const char* name) {
  return reinterpret_cast<F>(::dlsym(RTLD_NEXT, name));
}

}  // namespace

extern "C" {

ssize_t pwrite(int fd, const void* buf, size_t count, off_t offset) {
  static const auto next = real<ssize_t (*)(int, const void*, size_t, off_t)>("pwrite");
  const ssize_t written = next(fd, buf, count, offset);
  after_write(fd, offset, written);
  return written;
}

ssize_t pwrite64(int fd, const void* buf, size_t count, off_t offset) {
  static const auto next = real<ssize_t (*)(int, const void*, size_t, off_t)>("pwrite64");
  const ssize_t written = next(fd, buf, count, offset);
  after_write(fd, offset, written);
  return written;
}

ssize_t pwritev(int fd, const struct iovec* iov, int iovcnt, off_t offset) {
  static const auto next = real<ssize_t (*)(int, const struct iovec*, int, off_t)>("pwritev");
  const ssize_t written = next(fd, iov, iovcnt, offset);
  after_write(fd, offset, written);
  return written;
}

ssize_t pwritev64(int fd, const struct iovec* iov, int iovcnt, off_t offset) {
  static const auto next = real<ssize_t (*)(int, const struct iovec*, int, off_t)>("pwritev64");
  const ssize_t written = next(fd, iov, iovcnt, offset);
  after_write(fd, offset, written);
  return written;
}

}  // extern "C"
