#pragma once

// Counter-based random numbers: every draw is a pure function of (seed, identity of the draw),
// so the numbers a neuron or synapse sees never depend on ranks, threads or iteration order.
// Philox4x32-10 (Salmon et al. 2011) with key = seed and counter = four words of identity.

#include <Random123/philox.h>

#include <array>
#include <cmath>
#include <cstdint>
#include <numbers>
#include <string_view>

namespace myelin::rng {

// First counter word of every draw: keeps the families of draws apart.
enum class Stream : std::uint32_t {
  noise = 1,        // (gid, quad_lo, quad_hi), quad = step / 4 (model/noise_kernel.hpp)
  parameter = 2,    // (population hash, neuron, parameter hash)
  graph = 3,        // generator-specific identity of an edge decision
  synapse = 4,      // (projection hash, synapse index) for weights and delays
  initial = 5,      // initial state values
  poisson = 6,      // Poisson input counts; the upper 24 bits carry attempt and step (poisson.hpp)
  noise_retry = 7,  // (gid, step_lo, step_hi): a noise pair's refined u1 (model/noise_kernel.hpp)
};

using Words = std::array<std::uint32_t, 4>;

inline Words philox(std::uint64_t seed, Stream stream, std::uint32_t a, std::uint32_t b,
                    std::uint32_t c) {
  using Gen = r123::Philox4x32;
  Gen gen;
  Gen::key_type key = {{static_cast<std::uint32_t>(seed), static_cast<std::uint32_t>(seed >> 32)}};
  Gen::ctr_type ctr = {{static_cast<std::uint32_t>(stream), a, b, c}};
  const Gen::ctr_type out = gen(ctr, key);
  return {out[0], out[1], out[2], out[3]};
}

// Uniform on the open interval (0, 1) with 53 random bits.
inline double uniform_open(std::uint32_t hi, std::uint32_t lo) {
  const std::uint64_t bits = (static_cast<std::uint64_t>(hi) << 21) ^ (lo >> 11);
  return (static_cast<double>(bits & ((std::uint64_t{1} << 53) - 1)) + 0.5) * 0x1p-53;
}

// Two independent standard normals from one Philox block (Box-Muller).
inline std::array<double, 2> normal_pair(const Words& w) {
  const double u1 = uniform_open(w[0], w[1]);
  const double u2 = uniform_open(w[2], w[3]);
  const double r = std::sqrt(-2.0 * std::log(u1));
  const double phi = 2.0 * std::numbers::pi * u2;
  return {r * std::cos(phi), r * std::sin(phi)};
}

// Uniform integer in [0, n) from 64 random bits (Lemire's multiply-shift; bias below 2^-32).
inline std::uint32_t uniform_below(std::uint32_t hi, std::uint32_t lo, std::uint32_t n) {
  const std::uint64_t bits = (static_cast<std::uint64_t>(hi) << 32) | lo;
  __extension__ using Wide = unsigned __int128;  // GCC and Clang; -Wpedantic wants the marker
  return static_cast<std::uint32_t>((static_cast<Wide>(bits) * n) >> 64);
}

// Stable 32-bit identity of a name (FNV-1a), so adding a population or projection never
// changes the draws of the others.
constexpr std::uint32_t name_hash(std::string_view name) {
  std::uint32_t h = 2166136261u;
  for (const char ch : name) {
    h ^= static_cast<unsigned char>(ch);
    h *= 16777619u;
  }
  return h;
}

}  // namespace myelin::rng
