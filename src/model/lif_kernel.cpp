// Highway compiles this file once per SIMD target (hwy/foreach_target.h re-includes it).
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "model/lif_kernel.cpp"
#include <hwy/foreach_target.h>  // IWYU pragma: keep
// foreach_target.h must come first.
#include <hwy/contrib/math/math-inl.h>
#include <hwy/highway.h>

#include <algorithm>
#include <array>

#include "model/lif_kernel.hpp"
#include "model/noise_kernel.hpp"

HWY_BEFORE_NAMESPACE();
namespace myelin::lif_kernel::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

constexpr std::size_t max_lanes = HWY_MAX_BYTES / sizeof(double);

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
                               RareList& rare) {
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
                             RareList& rare) {
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
  // V is accumulated by fused multiply-adds, in one order shared with exp_block: the leak, each
  // port's term, the noise, then the delta jump.
  V v = hn::MulAdd(hn::Sub(v_old, v_inf), decay, v_inf);
  for (const CurrentPort& p : a.currents) {
    v = hn::MulAdd(hn::LoadU(d, p.state + i), param(p.step), v);
    if (p.rising != nullptr) v = hn::MulAdd(hn::LoadU(d, p.rising + i), param(p.rising_step), v);
  }
  V xi = hn::Zero(d);
  if (a.noise != Noise::none) {
    xi = hn::LoadU(d, xi_at);
    v = hn::MulAdd(param(a.noise_step), xi, v);
  }
  if (!a.delta.empty()) {
    V jump = hn::LoadU(d, a.delta[0] + i);
    for (std::size_t k = 1; k < a.delta.size(); ++k)
      jump = hn::Add(jump, hn::LoadU(d, a.delta[k] + i));
    v = hn::Add(v, jump);
  }
  // Clamped for a whole step: V_reset, one step less to wait, the inputs lost (as in NEST).
  const V r = hn::LoadU(d, a.refractory + i);
  const V one = hn::Set(d, 1.0);
  const auto clamped = hn::Ge(r, one);
  v = hn::IfThenElse(clamped, param(a.v_reset), v);
  // Only the clamped lanes change: a masked store leaves the other lines clean (most vectors
  // have no refractory lane, and each dirty line is written back from L1).
  hn::BlendedStore(hn::Sub(r, one), clamped, d, a.refractory + i);
  const auto ending = hn::AndNot(clamped, hn::Gt(r, hn::Zero(d)));
  const auto flagged = hn::Or(ending, hn::Gt(v, param(a.v_th)));
  // The flagged lanes keep their stored V_m (checked when it was stored).
  const auto in_bounds = hn::Or(flagged, hn::Le(hn::Abs(v), hn::Set(d, a.v_bound)));
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
  return hn::Not(in_bounds);
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
  // Uniform populations: the constants themselves, which the compiler keeps in registers
  // (through the pointers above it would reload them after every store). u_v_inf includes the
  // step's DC drive, v_inf + dc_gain dc, rounded as the vector lanes would round it.
  double u_v_inf, u_decay, u_v_th, u_v_reset, u_noise_step;
  std::array<double, NC> u_step;
};

template <bool Uniform, bool Noisy, bool Clear, std::size_t NC, std::size_t ND, class D>
HWY_INLINE hn::Mask<D> exp_block(D d, const ExpArgs<NC, ND>& a, const double* xi_at, std::size_t i,
                                 RareList& rare) {
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
  if constexpr (!Uniform)
    if (a.dc != 0.0) v_inf = hn::Add(v_inf, hn::Mul(hn::LoadU(d, a.dc_gain + i), hn::Set(d, a.dc)));
  V v = hn::MulAdd(hn::Sub(v_old, v_inf), param(a.decay, a.u_decay), v_inf);
  std::array<V, NC> state;
  for (std::size_t c = 0; c < NC; ++c) {
    state[c] = hn::LoadU(d, a.state[c] + i);
    v = hn::MulAdd(state[c], param(a.step[c], a.u_step[c]), v);
  }
  V xi = hn::Zero(d);
  if constexpr (Noisy) {
    xi = hn::LoadU(d, xi_at);
    v = hn::MulAdd(param(a.noise_step, a.u_noise_step), xi, v);
  }
  std::array<V, ND> delta_in;
  if constexpr (ND > 0) {
    V jump = delta_in[0] = hn::LoadU(d, a.delta[0] + i);
    for (std::size_t k = 1; k < ND; ++k) {
      delta_in[k] = hn::LoadU(d, a.delta[k] + i);
      jump = hn::Add(jump, delta_in[k]);
    }
    v = hn::Add(v, jump);
  }
  const V r = hn::LoadU(d, a.refractory + i);
  const V one = hn::Set(d, 1.0);
  const auto clamped = hn::Ge(r, one);
  v = hn::IfThenElse(clamped, param(a.v_reset, a.u_v_reset), v);
  // Only the clamped lanes change: a masked store leaves the other lines clean (most vectors
  // have no refractory lane, and each dirty line is written back from L1).
  hn::BlendedStore(hn::Sub(r, one), clamped, d, a.refractory + i);
  const auto ending = hn::AndNot(clamped, hn::Gt(r, hn::Zero(d)));
  const auto flagged = hn::Or(ending, hn::Gt(v, param(a.v_th, a.u_v_th)));
  const auto in_bounds = hn::Or(flagged, hn::Le(hn::Abs(v), hn::Set(d, a.v_bound)));
  // Every lane is stored as if it advanced, without blends (they were a fifth of the vector
  // work); the flagged lanes, rare, get their start-of-step values back below.
  hn::StoreU(v, d, a.v_m + i);
  std::array<V, NC> w;
  for (std::size_t c = 0; c < NC; ++c) {
    w[c] = hn::LoadU(d, a.input[c] + i);
    hn::StoreU(hn::Add(hn::Mul(state[c], hn::Set(d, a.decay_syn[c])), w[c]), d, a.state[c] + i);
    if constexpr (Clear) hn::StoreU(hn::Zero(d), d, a.input[c] + i);
  }
  if constexpr (Clear)
    for (std::size_t k = 0; k < ND; ++k) hn::StoreU(hn::Zero(d), d, a.delta[k] + i);
  if (!hn::AllFalse(d, flagged)) [[unlikely]] {
    constexpr std::size_t rows = 1 + 2 * NC + ND;  // V_m; each port's state and input; deltas
    alignas(HWY_MAX_BYTES) std::array<std::array<double, max_lanes>, rows> old;
    std::array<double*, rows> where;
    std::size_t n_rows = 0;
    const auto keep = [&](V value, double* at) {
      hn::StoreU(value, d, old[n_rows].data());
      where[n_rows++] = at;
    };
    keep(v_old, a.v_m + i);
    for (std::size_t c = 0; c < NC; ++c) {
      keep(state[c], a.state[c] + i);
      if constexpr (Clear) keep(w[c], a.input[c] + i);
    }
    if constexpr (Clear)
      for (std::size_t k = 0; k < ND; ++k) keep(delta_in[k], a.delta[k] + i);
    std::array<std::uint8_t, (max_lanes + 7) / 8> bits{};
    hn::StoreMaskBits(d, flagged, bits.data());
    for (std::size_t j = 0; j < hn::Lanes(d); ++j)
      if ((bits[j / 8] >> (j % 8)) & 1)
        for (std::size_t row = 0; row < n_rows; ++row) where[row][j] = old[row][j];
    append_flagged(d, flagged, xi, i, rare);
  }
  return hn::Not(in_bounds);
}

// Runs `step_block(d, xi_at, i)` over [begin, end): full vectors, then the tail on one-lane
// vectors (the same operations, so the same bits as in a full vector), with the fresh normals
// of each sub-block drawn first into a buffer that stays in L1.
template <class BlockFn>
HWY_INLINE bool run_range(const Args& a, std::size_t begin, std::size_t end, BlockFn step_block) {
  const hn::ScalableTag<double> d;
  const hn::CappedTag<double, 1> d1;
  const std::size_t lanes = hn::Lanes(d);
  constexpr std::size_t sub = 256;
  alignas(HWY_MAX_BYTES) std::array<double, sub> fresh;
  auto bad = hn::MaskFromVec(hn::Zero(d));
  bool any_bad = false;
  const bool fresh_block = a.noise == Noise::fresh;
  const Gid* gid = a.gid;
  double* spare = a.spare_noise;
  const std::size_t stride = a.spare_stride;
  // Spare k - 1 holds the normal of step 4 quad + k.
  const double* spare_now = spare + (a.noise == Noise::spare ? (a.phase - 1) * stride : 0);
  for (std::size_t b = begin; b < end; b += sub) {
    const std::size_t e = std::min(end, b + sub);
    if (fresh_block)
      noise_kernel::normals(a.seed, a.quad, std::span(gid + b, e - b),
                            {fresh.data(), spare + b, spare + stride + b, spare + 2 * stride + b});
    const double* xi = fresh_block ? fresh.data() : spare_now + b;  // xi[i - b]: neuron i's
    std::size_t i = b;
    for (; i + lanes <= e; i += lanes) bad = hn::Or(bad, step_block(d, xi + (i - b), i));
    for (; i < e; ++i) any_bad |= !hn::AllFalse(d1, step_block(d1, xi + (i - b), i));
  }
  return any_bad || !hn::AllFalse(d, bad);
}

template <bool Uniform>
bool membrane_step_range(const Args& args, std::size_t begin, std::size_t end, RareList& rare) {
  const Args a = args;  // local: see block()
  return run_range(a, begin, end, [&](auto d, const double* xi_at, std::size_t i) {
    return block<Uniform>(d, a, xi_at, i, rare);
  });
}

template <bool Uniform, bool Noisy, std::size_t NC, std::size_t ND>
bool exp_range(const Args& a, std::size_t begin, std::size_t end, RareList& rare) {
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
  if (Uniform) {
    f.u_v_inf = a.dc != 0.0 ? a.v_inf[0] + a.dc_gain[0] * a.dc : a.v_inf[0];
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
  // Clearing as a template parameter: a run-time flag cost a test and branch per vector.
  if (a.clear_input)
    return run_range(a, begin, end, [&](auto d, const double* xi_at, std::size_t i) {
      return exp_block<Uniform, Noisy, true>(d, f, xi_at, i, rare);
    });
  return run_range(a, begin, end, [&](auto d, const double* xi_at, std::size_t i) {
    return exp_block<Uniform, Noisy, false>(d, f, xi_at, i, rare);
  });
}

template <bool Uniform, std::size_t NC>
bool exp_range_nd(const Args& a, std::size_t begin, std::size_t end, RareList& rare) {
  const bool noisy = a.noise != Noise::none;
  if (a.delta.empty())
    return noisy ? exp_range<Uniform, true, NC, 0>(a, begin, end, rare)
                 : exp_range<Uniform, false, NC, 0>(a, begin, end, rare);
  return noisy ? exp_range<Uniform, true, NC, 1>(a, begin, end, rare)
               : exp_range<Uniform, false, NC, 1>(a, begin, end, rare);
}

template <bool Uniform>
bool dispatch(const Args& a, std::size_t begin, std::size_t end, RareList& rare) {
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

bool membrane_step_impl(const Args& a, std::size_t begin, std::size_t end, RareList& rare) {
  return a.uniform ? dispatch<true>(a, begin, end, rare) : dispatch<false>(a, begin, end, rare);
}

}  // namespace myelin::lif_kernel::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace myelin::lif_kernel {

HWY_EXPORT(membrane_step_impl);

bool membrane_step(const Args& args, std::size_t begin, std::size_t end, RareList& rare) {
  return HWY_DYNAMIC_DISPATCH(membrane_step_impl)(args, begin, end, rare);
}

}  // namespace myelin::lif_kernel
#endif
