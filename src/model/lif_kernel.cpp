// Highway compiles this file once per SIMD target (hwy/foreach_target.h re-includes it).
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "model/lif_kernel.cpp"
#include <hwy/foreach_target.h>  // IWYU pragma: keep
// foreach_target.h must come first.
#include <hwy/contrib/math/math-inl.h>
#include <hwy/highway.h>

#include <algorithm>
#include <array>
#include <numbers>

#include "model/lif_kernel.hpp"

HWY_BEFORE_NAMESPACE();
namespace myelin::lif_kernel::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

// Philox4x32-10 (Random123's constants), one counter per u64 lane, each word in the low half of
// its lane so that MulEven gives the full 32x32 -> 64 bit product. Only the gid word of the
// counter differs between lanes, so most of the first two rounds is the same scalar for every
// lane; the round keys are broadcast once per call into `lanes` (loads are cheaper than
// re-broadcasting in every block).
constexpr std::uint64_t m0 = 0xD2511F53u, m1 = 0xCD9E8D57u;
constexpr std::size_t max_lanes = HWY_MAX_BYTES / sizeof(double);

struct Key {
  // Round 1 leaves c0 = gid ^ x1 (the only word that differs between lanes), c2 = c2_1 and
  // c3 = c3_1; round 2 leaves c0 = c0_2, c1 = c1_2, c2 = hi(m0 c0) ^ x2, c3 = lo(m0 c0).
  std::uint64_t x1 = 0, c2_1 = 0, c3_1 = 0;
  std::uint64_t c0_2 = 0, c1_2 = 0, x2 = 0;
  // Round keys k0, k1 of rounds 3..10 at lanes[2 (r - 3)] and lanes[2 (r - 3) + 1].
  alignas(HWY_MAX_BYTES) std::array<std::array<std::uint64_t, max_lanes>, 16> lanes{};
};

inline Key round_keys(std::uint64_t seed, std::uint32_t pair_lo, std::uint32_t pair_hi) {
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
  const std::uint64_t p0 = m0 * 1u;  // counter word 0: rng::Stream::noise
  const std::uint64_t p1 = m1 * pair_lo;
  key.x1 = (p1 >> 32) ^ k0[0];
  const std::uint64_t c1_1 = p1 & low;
  key.c2_1 = (p0 >> 32) ^ pair_hi ^ k1[0];
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

// rng::uniform_open: 53 bits, (bits + 0.5) 2^-53, the same IEEE operations.
template <class DF, class V64>
HWY_INLINE hn::Vec<DF> uniform_open(DF df, V64 hi, V64 lo) {
  const hn::RebindToSigned<DF> di;
  const hn::RebindToUnsigned<DF> du;
  const V64 bits = hn::And(hn::Xor(hn::ShiftLeft<21>(hi), hn::ShiftRight<11>(lo)),
                           hn::Set(du, (std::uint64_t{1} << 53) - 1));
  const auto x = hn::ConvertTo(df, hn::BitCast(di, bits));
  return hn::Mul(hn::Add(x, hn::Set(df, 0.5)), hn::Set(df, 0x1p-53));
}

// sin(2 pi t) and cos(2 pi t) for t in [0, 1], with one shared reduction that is exact in t:
// t = k / 4 + f with |f| <= 1/8 (Sterbenz: the subtraction is exact), then Taylor series on
// |2 pi f| <= pi / 4 to the term below 1e-19 and the quadrant k mod 4. Box-Muller's angle
// comes as such a t, so this costs half of Highway's separate Sin and Cos.
template <class DF, class V = hn::Vec<DF>>
HWY_INLINE void sin_cos_turns(DF df, V t, V& sin_out, V& cos_out) {
  const V k = hn::Round(hn::Mul(t, hn::Set(df, 4.0)));
  const V x =
      hn::Mul(hn::Sub(t, hn::Mul(k, hn::Set(df, 0.25))), hn::Set(df, 2.0 * std::numbers::pi));
  const V z = hn::Mul(x, x);
  // sin x = x + x z (-1/3! + z (1/5! - ...)), to x^17; cos x = 1 + z (-1/2! + ...), to x^18.
  V ps = hn::Set(df, 1.0 / 355687428096000.0);  // 1/17!
  for (const double c : {-1.0 / 1307674368000.0, 1.0 / 6227020800.0, -1.0 / 39916800.0,
                         1.0 / 362880.0, -1.0 / 5040.0, 1.0 / 120.0, -1.0 / 6.0})
    ps = hn::MulAdd(ps, z, hn::Set(df, c));
  const V s = hn::MulAdd(hn::Mul(x, z), ps, x);
  V pc = hn::Set(df, -1.0 / 6402373705728000.0);  // -1/18!
  for (const double c : {1.0 / 20922789888000.0, -1.0 / 87178291200.0, 1.0 / 479001600.0,
                         -1.0 / 3628800.0, 1.0 / 40320.0, -1.0 / 720.0, 1.0 / 24.0, -0.5})
    pc = hn::MulAdd(pc, z, hn::Set(df, c));
  const V c = hn::MulAdd(z, pc, hn::Set(df, 1.0));
  // Quadrant: k in {0, 1, 2, 3, 4}; odd k swaps sin and cos, k in {2, 3} negates sin, k in
  // {1, 2} negates cos.
  const auto k1 = hn::Eq(k, hn::Set(df, 1.0));
  const auto k2 = hn::Eq(k, hn::Set(df, 2.0));
  const auto k3 = hn::Eq(k, hn::Set(df, 3.0));
  const auto swap = hn::Or(k1, k3);
  const V sin_abs = hn::IfThenElse(swap, c, s);
  const V cos_abs = hn::IfThenElse(swap, s, c);
  sin_out = hn::IfThenElse(hn::Or(k2, k3), hn::Neg(sin_abs), sin_abs);
  cos_out = hn::IfThenElse(hn::Or(k1, k2), hn::Neg(cos_abs), cos_abs);
}

// rng::normal_pair(rng::philox(seed, Stream::noise, gid, pair_lo, pair_hi)) for the K
// vectors of gids at `gid`, with the vector log, sin and cos, stored to first and second.
template <std::size_t K, class DF>
HWY_INLINE void normal_pairs_k(DF df, const Key& key, const Gid* gid, double* first,
                               double* second) {
  const hn::RebindToUnsigned<DF> du;
  const hn::Rebind<std::uint32_t, DF> dgid;
  const std::size_t n = hn::Lanes(df);
  using V64 = hn::Vec<decltype(du)>;
  V64 g[K], c0[K], c1[K], c2[K], c3[K];
  for (std::size_t k = 0; k < K; ++k) g[k] = hn::PromoteTo(du, hn::LoadU(dgid, gid + k * n));
  philox<K>(du, key, g, c0, c1, c2, c3);
  for (std::size_t k = 0; k < K; ++k) {
    const auto u1 = uniform_open(df, c0[k], c1[k]);
    const auto u2 = uniform_open(df, c2[k], c3[k]);
    const auto r = hn::Sqrt(hn::Mul(hn::Set(df, -2.0), hn::Log(df, u1)));
    hn::Vec<DF> sin_phi, cos_phi;  // of phi = 2 pi u2
    sin_cos_turns(df, u2, sin_phi, cos_phi);
    hn::StoreU(hn::Mul(r, cos_phi), df, first + k * n);
    hn::StoreU(hn::Mul(r, sin_phi), df, second + k * n);
  }
}

// The normal pairs of gid[0, n): groups of vectors, single vectors, then one-lane vectors, all
// the same per-lane operations.
inline void normal_pairs_range(const Key& key, const Gid* gid, std::size_t n, double* first,
                               double* second) {
  const hn::ScalableTag<double> d;
  const std::size_t lanes = hn::Lanes(d);
  constexpr std::size_t group = 4;
  std::size_t i = 0;
  for (; i + group * lanes <= n; i += group * lanes)
    normal_pairs_k<group>(d, key, gid + i, first + i, second + i);
  for (; i + lanes <= n; i += lanes) normal_pairs_k<1>(d, key, gid + i, first + i, second + i);
  const hn::CappedTag<double, 1> d1;
  for (; i < n; ++i) normal_pairs_k<1>(d1, key, gid + i, first + i, second + i);
}

// A per-neuron constant of lanes [i, i + Lanes(d)): streamed, or broadcast when the
// population's constants are uniform.
template <bool Uniform, class D>
HWY_INLINE hn::Vec<D> constant(D d, const double* p, std::size_t i) {
  if constexpr (Uniform) {
    return hn::Set(d, *p);
  } else {
    return hn::LoadU(d, p + i);
  }
}

// Appends the flagged lanes of neurons [i, i + Lanes(d)), with their normals, to `rare`.
template <class D>
HWY_INLINE void append_flagged(D d, hn::Mask<D> flagged, hn::Vec<D> xi, std::size_t i,
                               std::vector<Rare>& rare) {
  if (hn::AllFalse(d, flagged)) [[likely]]
    return;
  alignas(HWY_MAX_BYTES) std::array<double, max_lanes> xi_lanes;
  std::array<std::uint8_t, (max_lanes + 7) / 8> bits{};
  hn::StoreU(xi, d, xi_lanes.data());
  hn::StoreMaskBits(d, flagged, bits.data());
  for (std::size_t j = 0; j < hn::Lanes(d); ++j)
    if ((bits[j / 8] >> (j % 8)) & 1) rare.push_back({i + j, xi_lanes[j]});
}

// Neurons [i, i + Lanes(d)); returns the lanes whose stored V_m is bad. `a` is the caller's
// local copy of the arguments, so that the pointers stay in registers across the rare path's
// push_back.
template <bool Uniform, class D>
HWY_INLINE hn::Mask<D> block(D d, const Args& a, const double* xi_at, std::size_t i,
                             std::vector<Rare>& rare) {
  using V = hn::Vec<D>;
  const auto param = [&](const double* p) { return constant<Uniform>(d, p, i); };
  const V v_old = hn::LoadU(d, a.v_m + i);
  V v_inf = param(a.v_inf);
  if (a.dc != 0.0) v_inf = hn::Add(v_inf, hn::Mul(param(a.dc_gain), hn::Set(d, a.dc)));
  V decay;
  if (a.means.empty()) {
    decay = param(a.decay);
  } else {
    // Exponential integrator with the exact step-mean conductances and currents.
    V current = hn::Zero(d), conductance = hn::Zero(d), g_e_rev = hn::Zero(d);
    for (const MeanPort& p : a.means) {
      V x = hn::Mul(hn::Set(d, p.mean), hn::LoadU(d, p.state + i));
      if (p.rising != nullptr)
        x = hn::Add(x, hn::Mul(hn::Set(d, p.mean_from_y), hn::LoadU(d, p.rising + i)));
      if (p.conductance) {
        conductance = hn::Add(conductance, x);
        g_e_rev = hn::Add(g_e_rev, hn::Mul(x, hn::Set(d, p.e_rev)));
      } else {
        current = hn::Add(current, x);
      }
    }
    const V g_l = param(a.g_l);
    const V g = hn::Add(g_l, conductance);
    v_inf = hn::Div(hn::Add(hn::Add(hn::Mul(g_l, v_inf), current), g_e_rev), g);
    const V tau = hn::Div(param(a.c_m), g);
    decay = hn::Exp(d, hn::Div(hn::Set(d, -a.dt), tau));
  }
  V v = hn::Add(v_inf, hn::Mul(hn::Sub(v_old, v_inf), decay));
  if (!a.currents.empty()) {
    V synaptic = hn::Zero(d);
    for (const CurrentPort& p : a.currents) {
      synaptic = hn::Add(synaptic, hn::Mul(hn::LoadU(d, p.state + i), param(p.step)));
      if (p.rising != nullptr)
        synaptic = hn::Add(synaptic, hn::Mul(hn::LoadU(d, p.rising + i), param(p.rising_step)));
    }
    v = hn::Add(v, synaptic);
  }
  V xi = hn::Zero(d);
  if (a.noise != Noise::none) {
    xi = hn::LoadU(d, xi_at);
    v = hn::Add(v, hn::Mul(param(a.noise_step), xi));
  }
  if (!a.delta.empty()) {
    V jump = hn::Zero(d);
    for (const double* row : a.delta) jump = hn::Add(jump, hn::LoadU(d, row + i));
    v = hn::Add(v, jump);
  }
  // Clamped for a whole step: V_reset, one step less to wait, the inputs lost (as in NEST).
  const V r = hn::LoadU(d, a.refractory + i);
  const V one = hn::Set(d, 1.0);
  const auto clamped = hn::Ge(r, one);
  v = hn::IfThenElse(clamped, param(a.v_reset), v);
  hn::StoreU(hn::IfThenElse(clamped, hn::Sub(r, one), r), d, a.refractory + i);
  const auto ending = hn::And(hn::Gt(r, hn::Zero(d)), hn::Lt(r, one));
  const auto flagged = hn::Or(ending, hn::Gt(v, param(a.v_th)));
  v = hn::IfThenElse(flagged, v_old, v);
  hn::StoreU(v, d, a.v_m + i);
  for (const AdvancePort& p : a.advance) {
    const V state = hn::LoadU(d, p.state + i);
    const V w = hn::LoadU(d, p.input + i);
    if (a.clear_input) hn::StoreU(hn::IfThenElse(flagged, w, hn::Zero(d)), d, p.input + i);
    const V decay_syn = hn::Set(d, p.decay);
    if (p.rising == nullptr) {
      hn::StoreU(hn::IfThenElse(flagged, state, hn::Add(hn::Mul(state, decay_syn), w)), d,
                 p.state + i);
    } else {
      const V y = hn::LoadU(d, p.rising + i);
      const V next = hn::Mul(hn::Add(state, hn::Mul(hn::Set(d, p.dt), y)), decay_syn);
      const V next_y = hn::Add(hn::Mul(y, decay_syn), hn::Mul(w, hn::Set(d, p.alpha_scale)));
      hn::StoreU(hn::IfThenElse(flagged, state, next), d, p.state + i);
      hn::StoreU(hn::IfThenElse(flagged, y, next_y), d, p.rising + i);
    }
  }
  if (a.clear_input)
    for (double* row : a.delta)
      hn::StoreU(hn::IfThenElse(flagged, hn::LoadU(d, row + i), hn::Zero(d)), d, row + i);
  append_flagged(d, flagged, xi, i, rare);
  return hn::Not(hn::Le(hn::Abs(v), hn::Set(d, a.v_bound)));
}

// The common case, current-based with only exp_current ports (NC <= 2) and at most one delta
// port: block() with the port loops unrolled at compile time, each port's state loaded once for
// V and for its own advance, and every pointer in a register. The same operations in the same
// order as block(), so the same bits.
template <std::size_t NC, std::size_t ND>
struct ExpArgs {
  double* v_m;
  double* refractory;
  const double *v_inf, *dc_gain, *decay, *v_th, *v_reset, *noise_step;
  std::array<double*, NC> state;
  std::array<const double*, NC> step;
  std::array<double*, NC> input;
  std::array<double, NC> decay_syn;
  std::array<double*, ND> delta;
  double dc, v_bound;
  bool noise, clear_input;
  // Uniform populations: the constants themselves, which the compiler keeps in registers
  // (through the pointers above it would reload them after every store).
  double u_v_inf, u_dc_gain, u_decay, u_v_th, u_v_reset, u_noise_step;
  std::array<double, NC> u_step;
};

template <bool Uniform, std::size_t NC, std::size_t ND, class D>
HWY_INLINE hn::Mask<D> exp_block(D d, const ExpArgs<NC, ND>& a, const double* xi_at, std::size_t i,
                                 std::vector<Rare>& rare) {
  using V = hn::Vec<D>;
  const auto param = [&](const double* p, double uniform) {
    if constexpr (Uniform) {
      return hn::Set(d, uniform);
    } else {
      return hn::LoadU(d, p + i);
    }
  };
  const V v_old = hn::LoadU(d, a.v_m + i);
  V v_inf = param(a.v_inf, a.u_v_inf);
  if (a.dc != 0.0) v_inf = hn::Add(v_inf, hn::Mul(param(a.dc_gain, a.u_dc_gain), hn::Set(d, a.dc)));
  V v = hn::Add(v_inf, hn::Mul(hn::Sub(v_old, v_inf), param(a.decay, a.u_decay)));
  std::array<V, NC> state;
  if constexpr (NC > 0) {
    V synaptic = hn::Zero(d);
    for (std::size_t c = 0; c < NC; ++c) {
      state[c] = hn::LoadU(d, a.state[c] + i);
      synaptic = hn::Add(synaptic, hn::Mul(state[c], param(a.step[c], a.u_step[c])));
    }
    v = hn::Add(v, synaptic);
  }
  V xi = hn::Zero(d);
  if (a.noise) {
    xi = hn::LoadU(d, xi_at);
    v = hn::Add(v, hn::Mul(param(a.noise_step, a.u_noise_step), xi));
  }
  std::array<V, ND> delta_in;
  if constexpr (ND > 0) {
    V jump = hn::Zero(d);
    for (std::size_t k = 0; k < ND; ++k) {
      delta_in[k] = hn::LoadU(d, a.delta[k] + i);
      jump = hn::Add(jump, delta_in[k]);
    }
    v = hn::Add(v, jump);
  }
  const V r = hn::LoadU(d, a.refractory + i);
  const V one = hn::Set(d, 1.0);
  const auto clamped = hn::Ge(r, one);
  v = hn::IfThenElse(clamped, param(a.v_reset, a.u_v_reset), v);
  hn::StoreU(hn::IfThenElse(clamped, hn::Sub(r, one), r), d, a.refractory + i);
  const auto ending = hn::And(hn::Gt(r, hn::Zero(d)), hn::Lt(r, one));
  const auto flagged = hn::Or(ending, hn::Gt(v, param(a.v_th, a.u_v_th)));
  v = hn::IfThenElse(flagged, v_old, v);
  hn::StoreU(v, d, a.v_m + i);
  for (std::size_t c = 0; c < NC; ++c) {
    const V w = hn::LoadU(d, a.input[c] + i);
    const V next = hn::Add(hn::Mul(state[c], hn::Set(d, a.decay_syn[c])), w);
    hn::StoreU(hn::IfThenElse(flagged, state[c], next), d, a.state[c] + i);
    if (a.clear_input) hn::StoreU(hn::IfThenElse(flagged, w, hn::Zero(d)), d, a.input[c] + i);
  }
  if (a.clear_input)
    for (std::size_t k = 0; k < ND; ++k)
      hn::StoreU(hn::IfThenElse(flagged, delta_in[k], hn::Zero(d)), d, a.delta[k] + i);
  append_flagged(d, flagged, xi, i, rare);
  return hn::Not(hn::Le(hn::Abs(v), hn::Set(d, a.v_bound)));
}

// Runs `step_block(d, xi_at, i)` over [begin, end): full vectors, then the tail on one-lane
// vectors (the same operations, so the same bits as in a full vector), with the fresh normals
// of each sub-block drawn first into a buffer that stays in L1.
template <class BlockFn>
HWY_INLINE bool run_range(const Args& a, std::size_t begin, std::size_t end, BlockFn step_block) {
  const Key key = round_keys(a.seed, a.pair_lo, a.pair_hi);
  const hn::ScalableTag<double> d;
  const hn::CappedTag<double, 1> d1;
  const std::size_t lanes = hn::Lanes(d);
  constexpr std::size_t sub = 256;
  alignas(HWY_MAX_BYTES) std::array<double, sub> fresh;
  auto bad = hn::MaskFromVec(hn::Zero(d));
  bool any_bad = false;
  const bool fresh_pair = a.noise == Noise::fresh_pair;
  const Gid* gid = a.gid;
  double* spare = a.spare_noise;
  for (std::size_t b = begin; b < end; b += sub) {
    const std::size_t e = std::min(end, b + sub);
    if (fresh_pair) normal_pairs_range(key, gid + b, e - b, fresh.data(), spare + b);
    const double* xi = fresh_pair ? fresh.data() : spare + b;  // xi[i - b]: neuron i's normal
    std::size_t i = b;
    for (; i + lanes <= e; i += lanes) bad = hn::Or(bad, step_block(d, xi + (i - b), i));
    for (; i < e; ++i) any_bad |= !hn::AllFalse(d1, step_block(d1, xi + (i - b), i));
  }
  return any_bad || !hn::AllFalse(d, bad);
}

template <bool Uniform>
bool membrane_step_range(const Args& args, std::size_t begin, std::size_t end,
                         std::vector<Rare>& rare) {
  const Args a = args;  // local: see block()
  return run_range(a, begin, end, [&](auto d, const double* xi_at, std::size_t i) {
    return block<Uniform>(d, a, xi_at, i, rare);
  });
}

template <bool Uniform, std::size_t NC, std::size_t ND>
bool exp_range(const Args& a, std::size_t begin, std::size_t end, std::vector<Rare>& rare) {
  ExpArgs<NC, ND> f{};
  f.v_m = a.v_m;
  f.refractory = a.refractory;
  f.v_inf = a.v_inf;
  f.dc_gain = a.dc_gain;
  f.decay = a.decay;
  f.v_th = a.v_th;
  f.v_reset = a.v_reset;
  f.noise_step = a.noise_step;
  f.dc = a.dc;
  f.v_bound = a.v_bound;
  f.noise = a.noise != Noise::none;
  f.clear_input = a.clear_input;
  if (Uniform) {
    f.u_v_inf = a.v_inf[0];
    f.u_dc_gain = a.dc_gain[0];
    f.u_decay = a.decay[0];
    f.u_v_th = a.v_th[0];
    f.u_v_reset = a.v_reset[0];
    f.u_noise_step = a.noise_step[0];
  }
  for (std::size_t c = 0; c < NC; ++c) {
    f.state[c] = a.advance[c].state;
    f.step[c] = a.currents[c].step;
    if (Uniform) f.u_step[c] = a.currents[c].step[0];
    f.input[c] = a.advance[c].input;
    f.decay_syn[c] = a.advance[c].decay;
  }
  for (std::size_t k = 0; k < ND; ++k) f.delta[k] = a.delta[k];
  return run_range(a, begin, end, [&](auto d, const double* xi_at, std::size_t i) {
    return exp_block<Uniform>(d, f, xi_at, i, rare);
  });
}

template <bool Uniform, std::size_t NC>
bool exp_range_nd(const Args& a, std::size_t begin, std::size_t end, std::vector<Rare>& rare) {
  return a.delta.empty() ? exp_range<Uniform, NC, 0>(a, begin, end, rare)
                         : exp_range<Uniform, NC, 1>(a, begin, end, rare);
}

template <bool Uniform>
bool dispatch(const Args& a, std::size_t begin, std::size_t end, std::vector<Rare>& rare) {
  // The exp fast path: current ports only, all exp_current (their states are the advanced
  // ports, in the same order), at most two of them and one delta port.
  bool exp_only = !a.general_only && a.means.empty() && a.currents.size() <= 2 &&
                  a.delta.size() <= 1 && a.advance.size() == a.currents.size();
  for (std::size_t c = 0; exp_only && c < a.currents.size(); ++c)
    exp_only = a.currents[c].rising == nullptr && a.advance[c].rising == nullptr &&
               a.advance[c].state == a.currents[c].state;
  if (!exp_only) return membrane_step_range<Uniform>(a, begin, end, rare);
  switch (a.currents.size()) {
    case 0:
      return exp_range_nd<Uniform, 0>(a, begin, end, rare);
    case 1:
      return exp_range_nd<Uniform, 1>(a, begin, end, rare);
    default:
      return exp_range_nd<Uniform, 2>(a, begin, end, rare);
  }
}

bool membrane_step_impl(const Args& a, std::size_t begin, std::size_t end,
                        std::vector<Rare>& rare) {
  return a.uniform ? dispatch<true>(a, begin, end, rare) : dispatch<false>(a, begin, end, rare);
}

void normal_pairs_impl(std::uint64_t seed, std::uint32_t pair_lo, std::uint32_t pair_hi,
                       const Gid* gid, std::size_t n, double* first, double* second) {
  normal_pairs_range(round_keys(seed, pair_lo, pair_hi), gid, n, first, second);
}

}  // namespace myelin::lif_kernel::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace myelin::lif_kernel {

HWY_EXPORT(membrane_step_impl);
HWY_EXPORT(normal_pairs_impl);

bool membrane_step(const Args& args, std::size_t begin, std::size_t end, std::vector<Rare>& rare) {
  return HWY_DYNAMIC_DISPATCH(membrane_step_impl)(args, begin, end, rare);
}

void normal_pairs(std::uint64_t seed, std::uint32_t pair_lo, std::uint32_t pair_hi,
                  std::span<const Gid> gids, double* first, double* second) {
  HWY_DYNAMIC_DISPATCH(normal_pairs_impl)
  (seed, pair_lo, pair_hi, gids.data(), gids.size(), first, second);
}

}  // namespace myelin::lif_kernel
#endif
