#pragma once

// The white-noise normals of every model: the standard normal of neuron `gid` in step `step`, a
// pure function of (seed, gid, step) so that it never depends on ranks, threads or lanes.
//
// One Philox4x32-10 block per neuron and four steps (counter: rng::Stream::noise, gid, quad_lo,
// quad_hi with quad = step / 4) gives four 32-bit words, two Box-Muller pairs: words (0, 1)
// give the normals of steps 4 quad and 4 quad + 1, words (2, 3) those of 4 quad + 2 and + 3. The
// transform runs in single precision on twice the lanes of a double vector: u = (bits + 1/2)
// 2^-23 from the top 23 bits of a word, r = sqrt(-2 ln u1), and (cos, sin)(2 pi u2) with a
// reduction that is exact in the turn fraction u2; the normal is the double product r cos, exact
// from the two floats, so each carries float precision (relative error ~1e-7). The radius would
// stop at 5.8 sigma where u1 stops at 2^-24: the one draw in 2^23 whose u1 bits are all zero
// refines u1 in double from the word's low 9 bits and a fresh 53-bit uniform (counter
// rng::Stream::noise_retry, gid, the pair's first step), so the tail goes on to beyond 10 sigma.
// That path is scalar code reached from any lane, so every path gives the same bits.
//
// Compiled for every SIMD target Highway knows and chosen at run time (Highway's float log and
// the FMA it uses from AVX2 on make the bits target-specific, as for the LIF and HH kernels).

#include <array>
#include <cstdint>
#include <span>

#include "myelin/types.hpp"

namespace myelin::noise_kernel {

// The normals of steps 4 quad .. 4 quad + 3 of each gid, into out[k][i] for step 4 quad + k.
void normals(std::uint64_t seed, std::uint64_t quad, std::span<const Gid> gids,
             const std::array<double*, 4>& out);

// One neuron's normal of one step (step >= 0), through the same kernel.
double step_normal(std::uint64_t seed, Gid gid, std::int64_t step);

}  // namespace myelin::noise_kernel
