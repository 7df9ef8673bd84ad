// clang-format off
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "model/noise_kernel.cpp"
#include <hwy/foreach_target.h>  // must precede highway.h
// clang-format on

#include "model/noise_kernel.hpp"

#include <hwy/contrib/math/math-inl.h>
#include <hwy/highway.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <numbers>

#include "core/random.hpp"

HWY_BEFORE_NAMESPACE();
namespace myelin::noise_kernel::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

// Philox4x32-10 (Random123's constants), one counter per u64 lane, each word in the low half of
// its lane so that MulEven gives the full 32x32 -> 64 bit product. Only the gid word of the
// counter differs between lanes, so most of the first two rounds is the same scalar for every
// lane; the round keys are broadcast once per call into `lanes` (loads are cheaper than
// re-broadcasting in every block).
constexpr std::uint64_t m0 = 0xD2511F53u, m1 = 0xCD9E8D57u;
constexpr std::size_t max_lanes = HWY_MAX_BYTES / sizeof(double);

struct Key {
  std::uint64_t seed = 0, quad = 0;  // for the ziggurat's scalar slow path
  // Round 1 leaves c0 = gid ^ x1 (the only word that differs between lanes), c2 = c2_1 and
  // c3 = c3_1; round 2 leaves c0 = c0_2, c1 = c1_2, c2 = hi(m0 c0) ^ x2, c3 = lo(m0 c0).
  std::uint64_t x1 = 0, c2_1 = 0, c3_1 = 0;
  std::uint64_t c0_2 = 0, c1_2 = 0, x2 = 0;
  // Round keys k0, k1 of rounds 3..10 at lanes[2 (r - 3)] and lanes[2 (r - 3) + 1].
  alignas(HWY_MAX_BYTES) std::array<std::array<std::uint64_t, max_lanes>, 16> lanes{};
};

inline Key round_keys(std::uint64_t seed, std::uint64_t quad) {
  const auto quad_lo = static_cast<std::uint32_t>(quad);
  const auto quad_hi = static_cast<std::uint32_t>(quad >> 32);
  std::array<std::uint64_t, 10> k0{}, k1{};
  auto a = static_cast<std::uint32_t>(seed);
  auto b = static_cast<std::uint32_t>(seed >> 32);
  for (std::size_t r = 0; r < 10; ++r) {
    k0[r] = a;
    k1[r] = b;
    a += 0x9E3779B9u;
    b += 0xBB67AE85u;
  }
  constexpr std::uint64_t low = 0xFFFFFFFFu;
  Key key;
  key.seed = seed;
  key.quad = quad;
  const std::uint64_t p0 = m0 * 1u;  // counter word 0: rng::Stream::noise
  const std::uint64_t p1 = m1 * quad_lo;
  key.x1 = (p1 >> 32) ^ k0[0];
  const std::uint64_t c1_1 = p1 & low;
  key.c2_1 = (p0 >> 32) ^ quad_hi ^ k1[0];
  key.c3_1 = p0 & low;
  const std::uint64_t q1 = m1 * key.c2_1;
  key.c0_2 = (q1 >> 32) ^ c1_1 ^ k0[1];
  key.c1_2 = q1 & low;
  key.x2 = key.c3_1 ^ k1[1];
  for (std::size_t r = 2; r < 10; ++r) {
    key.lanes[2 * (r - 2)].fill(k0[r]);
    key.lanes[2 * (r - 2) + 1].fill(k1[r]);
  }
  return key;
}

// K counters interleaved: one counter's ten rounds are a serial chain of multiplies, so
// several side by side keep the multipliers busy.
template <std::size_t K, class D64, class V = hn::Vec<D64>>
HWY_INLINE void philox(D64 du, const Key& key, const V* gid, V* c0, V* c1, V* c2, V* c3) {
  const hn::Repartition<std::uint32_t, D64> d32;
  const V low = hn::Set(du, 0xFFFFFFFFu);
  const auto m0v = hn::BitCast(d32, hn::Set(du, m0));
  const auto m1v = hn::BitCast(d32, hn::Set(du, m1));
  for (std::size_t k = 0; k < K; ++k) {
    const V p = hn::MulEven(m0v, hn::BitCast(d32, hn::Xor(gid[k], hn::Set(du, key.x1))));
    c0[k] = hn::Set(du, key.c0_2);
    c1[k] = hn::Set(du, key.c1_2);
    c2[k] = hn::Xor(hn::ShiftRight<32>(p), hn::Set(du, key.x2));
    c3[k] = hn::And(p, low);
  }
  for (std::size_t r = 0; r < 8; ++r) {
    const V k0 = hn::Load(du, key.lanes[2 * r].data());
    const V k1 = hn::Load(du, key.lanes[2 * r + 1].data());
    for (std::size_t k = 0; k < K; ++k) {
      const V p0 = hn::MulEven(m0v, hn::BitCast(d32, c0[k]));
      const V p1 = hn::MulEven(m1v, hn::BitCast(d32, c2[k]));
      c0[k] = hn::Xor(hn::Xor(hn::ShiftRight<32>(p1), c1[k]), k0);
      c1[k] = hn::And(p1, low);
      c2[k] = hn::Xor(hn::Xor(hn::ShiftRight<32>(p0), c3[k]), k1);
      c3[k] = hn::And(p0, low);
    }
  }
}

// sin(2 pi t) and cos(2 pi t) in float for t in [0, 1], with one reduction that is exact in t:
// t = k / 4 + f with |f| <= 1/8 (Sterbenz: the subtraction is exact), then Taylor series on
// |2 pi f| <= pi / 4 to the term below 2e-9 and the quadrant k mod 4.
template <class DF, class V = hn::Vec<DF>>
HWY_INLINE void sin_cos_turns(DF df, V t, V& sin_out, V& cos_out) {
  const V k = hn::Round(hn::Mul(t, hn::Set(df, 4.0f)));
  const V x = hn::Mul(hn::Sub(t, hn::Mul(k, hn::Set(df, 0.25f))),
                      hn::Set(df, static_cast<float>(2.0 * std::numbers::pi)));
  const V z = hn::Mul(x, x);
  // sin x = x + x z (-1/3! + z (1/5! - ...)), to x^9; cos x = 1 + z (-1/2! + ...), to x^10.
  V ps = hn::Set(df, static_cast<float>(1.0 / 362880.0));
  for (const double c : {-1.0 / 5040.0, 1.0 / 120.0, -1.0 / 6.0})
    ps = hn::MulAdd(ps, z, hn::Set(df, static_cast<float>(c)));
  const V s = hn::MulAdd(hn::Mul(x, z), ps, x);
  V pc = hn::Set(df, static_cast<float>(-1.0 / 3628800.0));
  for (const double c : {1.0 / 40320.0, -1.0 / 720.0, 1.0 / 24.0, -0.5})
    pc = hn::MulAdd(pc, z, hn::Set(df, static_cast<float>(c)));
  const V c = hn::MulAdd(z, pc, hn::Set(df, 1.0f));
  // Quadrant: k in {0, 1, 2, 3, 4}; odd k swaps sin and cos, k in {2, 3} negates sin, k in
  // {1, 2} negates cos.
  const auto k1 = hn::Eq(k, hn::Set(df, 1.0f));
  const auto k2 = hn::Eq(k, hn::Set(df, 2.0f));
  const auto k3 = hn::Eq(k, hn::Set(df, 3.0f));
  const auto swap = hn::Or(k1, k3);
  const V sin_abs = hn::IfThenElse(swap, c, s);
  const V cos_abs = hn::IfThenElse(swap, s, c);
  sin_out = hn::IfThenElse(hn::Or(k2, k3), hn::Neg(sin_abs), sin_abs);
  cos_out = hn::IfThenElse(hn::Or(k1, k2), hn::Neg(cos_abs), cos_abs);
}

// u = (top 23 bits + 1/2) 2^-23 in (0, 1), exact in float.
template <class DF, class VU>
HWY_INLINE hn::Vec<DF> uniform23(DF df, VU word) {
  const hn::RebindToSigned<DF> di;
  const auto bits = hn::BitCast(di, hn::ShiftRight<9>(word));
  return hn::Mul(hn::Add(hn::ConvertTo(df, bits), hn::Set(df, 0.5f)), hn::Set(df, 0x1p-23f));
}

// The radius of a pair whose u1 bits are all zero: u1 in (0, 2^-23) refined in double.
inline double refined_radius(const Key& key, Gid gid, std::int64_t first_step, std::uint32_t w1) {
  const auto s = static_cast<std::uint64_t>(first_step);
  const rng::Words fresh =
      rng::philox(key.seed, rng::Stream::noise_retry, gid, static_cast<std::uint32_t>(s),
                  static_cast<std::uint32_t>(s >> 32));
  const double u1 =
      (static_cast<double>(w1 & 0x1FFu) + rng::uniform_open(fresh[0], fresh[1])) * 0x1p-32;
  return std::sqrt(-2.0 * std::log(u1));
}

// The four normals of the blocks (c0, c1, c2, c3) of the gids at `gid`, to out[k] + at.
template <class DD, class V64>
HWY_INLINE void box_muller(DD dd, const Key& key, const Gid* gid, V64 c0, V64 c1, V64 c2, V64 c3,
                           const std::array<double*, 4>& out, std::size_t at) {
  const hn::Repartition<std::uint32_t, DD> d32;  // twice the lanes
  const hn::Repartition<float, DD> df;
  const hn::Half<decltype(df)> dh;
  // Lanes [0, N): pair (c0, c1) of each neuron; lanes [N, 2N): pair (c2, c3).
  const auto w1 = hn::ConcatEven(d32, hn::BitCast(d32, c2), hn::BitCast(d32, c0));
  const auto w2 = hn::ConcatEven(d32, hn::BitCast(d32, c3), hn::BitCast(d32, c1));
  const auto r = hn::Sqrt(hn::Mul(hn::Set(df, -2.0f), hn::Log(df, uniform23(df, w1))));
  hn::Vec<decltype(df)> sin_phi, cos_phi;
  sin_cos_turns(df, uniform23(df, w2), sin_phi, cos_phi);
  const auto r_a = hn::PromoteTo(dd, hn::LowerHalf(dh, r));
  const auto r_b = hn::PromoteTo(dd, hn::UpperHalf(dh, r));
  const auto cos_a = hn::PromoteTo(dd, hn::LowerHalf(dh, cos_phi));
  const auto sin_a = hn::PromoteTo(dd, hn::LowerHalf(dh, sin_phi));
  const auto cos_b = hn::PromoteTo(dd, hn::UpperHalf(dh, cos_phi));
  const auto sin_b = hn::PromoteTo(dd, hn::UpperHalf(dh, sin_phi));
  // Products of two floats: exact in double.
  hn::StoreU(hn::Mul(r_a, cos_a), dd, out[0] + at);
  hn::StoreU(hn::Mul(r_a, sin_a), dd, out[1] + at);
  hn::StoreU(hn::Mul(r_b, cos_b), dd, out[2] + at);
  hn::StoreU(hn::Mul(r_b, sin_b), dd, out[3] + at);
  const auto tiny = hn::Eq(hn::ShiftRight<9>(w1), hn::Zero(d32));
  if (hn::AllFalse(d32, tiny)) [[likely]]
    return;
  const std::size_t n = hn::Lanes(dd);
  alignas(HWY_MAX_BYTES) std::array<std::uint32_t, 2 * max_lanes> words;
  alignas(HWY_MAX_BYTES) std::array<float, 2 * max_lanes> cos_f, sin_f;
  hn::StoreU(w1, d32, words.data());
  hn::StoreU(cos_phi, df, cos_f.data());
  hn::StoreU(sin_phi, df, sin_f.data());
  for (std::size_t j = 0; j < 2 * n; ++j) {
    if ((words[j] >> 9) != 0) continue;
    const std::size_t i = j % n, pair = j / n;
    const double radius =
        refined_radius(key, gid[i], static_cast<std::int64_t>(4 * key.quad + 2 * pair), words[j]);
    out[2 * pair][at + i] = radius * static_cast<double>(cos_f[j]);
    out[2 * pair + 1][at + i] = radius * static_cast<double>(sin_f[j]);
  }
}

template <std::size_t K, class DD>
HWY_INLINE void normals_k(DD dd, const Key& key, const Gid* gid, const std::array<double*, 4>& out,
                          std::size_t at) {
  const hn::RebindToUnsigned<DD> du;
  const hn::Rebind<std::uint32_t, DD> dgid;
  const std::size_t n = hn::Lanes(dd);
  using V64 = hn::Vec<decltype(du)>;
  V64 g[K], c0[K], c1[K], c2[K], c3[K];
  for (std::size_t k = 0; k < K; ++k) g[k] = hn::PromoteTo(du, hn::LoadU(dgid, gid + k * n));
  philox<K>(du, key, g, c0, c1, c2, c3);
  for (std::size_t k = 0; k < K; ++k)
    box_muller(dd, key, gid + k * n, c0[k], c1[k], c2[k], c3[k], out, at + k * n);
}

// Groups of vectors, single vectors, then one-lane vectors: the same per-lane operations.
void normals_impl(std::uint64_t seed, std::uint64_t quad, const Gid* gid, std::size_t n,
                  const std::array<double*, 4>& out) {
  const Key key = round_keys(seed, quad);
  const hn::ScalableTag<double> d;
  const std::size_t lanes = hn::Lanes(d);
  constexpr std::size_t group = 4;
  std::size_t i = 0;
  for (; i + group * lanes <= n; i += group * lanes) normals_k<group>(d, key, gid + i, out, i);
  for (; i + lanes <= n; i += lanes) normals_k<1>(d, key, gid + i, out, i);
  const hn::CappedTag<double, 1> d1;
  for (; i < n; ++i) normals_k<1>(d1, key, gid + i, out, i);
}

}  // namespace myelin::noise_kernel::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace myelin::noise_kernel {

HWY_EXPORT(normals_impl);

void normals(std::uint64_t seed, std::uint64_t quad, std::span<const Gid> gids,
             const std::array<double*, 4>& out) {
  HWY_DYNAMIC_DISPATCH(normals_impl)(seed, quad, gids.data(), gids.size(), out);
}

double step_normal(std::uint64_t seed, Gid gid, std::int64_t step) {
  const auto s = static_cast<std::uint64_t>(step);
  std::array<double, 4> x{};
  normals(seed, s >> 2, std::span(&gid, 1), {&x[0], &x[1], &x[2], &x[3]});
  return x[s & 3];
}

}  // namespace myelin::noise_kernel
#endif
