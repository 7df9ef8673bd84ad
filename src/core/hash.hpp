#pragma once

// Non-cryptographic 64-bit hashes for integrity checks: of a config (does a checkpoint belong
// to this config and version?) and of a file's bytes (is a checkpoint whole and unchanged?).
// They catch truncation, bit flips and mix-ups, not deliberate forgery.

#include <cstdint>
#include <cstring>
#include <span>
#include <string_view>

namespace myelin {

// FNV-1a over bytes.
inline std::uint64_t fnv1a64(std::string_view bytes, std::uint64_t h = 0xcbf29ce484222325ULL) {
  for (const char c : bytes) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ULL;
  }
  return h;
}

// A streaming hash of a byte sequence, eight bytes at a time (a file of 100 MB hashes in well
// under a second), finished with the length so that appended zeros change it.
class ByteHash {
 public:
  void add(std::span<const unsigned char> bytes) {
    for (const unsigned char b : bytes) {
      word_ |= static_cast<std::uint64_t>(b) << (8 * filled_);
      if (++filled_ == 8) mix();
    }
    length_ += bytes.size();
  }
  std::uint64_t finish() {
    if (filled_ > 0) mix();
    word_ = length_;
    mix();
    return state_;
  }

 private:
  void mix() {
    std::uint64_t x = state_ ^ (word_ + 0x9e3779b97f4a7c15ULL);
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    state_ = x ^ (x >> 31);
    word_ = 0;
    filled_ = 0;
  }
  std::uint64_t state_ = 0x6a09e667f3bcc908ULL;
  std::uint64_t word_ = 0;
  unsigned filled_ = 0;
  std::uint64_t length_ = 0;
};

}  // namespace myelin
