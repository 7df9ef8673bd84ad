// One step of the Hodgkin-Huxley scheme of model/hh.hpp in SIMD lanes. This file is compiled
// once per instruction set by Highway (foreach_target.h); the best one for the machine is
// picked at the first call. It is compiled with -ffp-contract=off (CMakeLists.txt): every
// product and sum is the rounded IEEE operation the scalar scheme wrote, so the kernel differs
// from it only by Highway's exp / expm1 (<= 1 and 4 ulp) instead of libm's.

// clang-format off
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "model/hh_kernel.cpp"
#include <hwy/foreach_target.h>  // must precede highway.h
// clang-format on

#include "model/hh_kernel.hpp"

#include <hwy/contrib/math/math-inl.h>
#include <hwy/highway.h>

#include <algorithm>
#include <array>
#include <cstddef>

HWY_BEFORE_NAMESPACE();
namespace myelin::hh_kernel {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

using D = hn::ScalableTag<double>;
using V = hn::Vec<D>;

// Highway's Exp is valid up to 709 and wraps beyond; exp(709) ~ 8e307 already acts as infinity
// in every rate (a blow-up of V is reported by the health check, not hidden by this).
HWY_INLINE V ExpClamped(D d, V x) {
  return hn::Exp(d, hn::Min(hn::Set(d, 709.0), x));
}

// x / (exp(x / y) - 1): removable singularity at x = 0. Near it the series y (1 - r / 2),
// whose next term (r^2 / 12) is below rounding for |r| < 1e-8; elsewhere expm1, which keeps
// full relative accuracy for small r. Both are computed and one selected: no branch, no 0 / 0.
HWY_INLINE V Vtrap(D d, V x, double y) {
  const V one = hn::Set(d, 1.0);
  const V vy = hn::Set(d, y);
  const V r = hn::Div(x, vy);
  const auto near = hn::Lt(hn::Abs(r), hn::Set(d, 1e-8));
  const V em1 = hn::Expm1(d, hn::Min(hn::Set(d, 709.0), r));
  const V direct = hn::Div(x, hn::IfThenElse(near, one, em1));
  const V series = hn::Mul(vy, hn::Sub(one, hn::Mul(hn::Set(d, 0.5), r)));
  return hn::IfThenElse(near, series, direct);
}

struct Gates {
  V alpha_m, beta_m, alpha_h, beta_h, alpha_n, beta_n;
};

// The formulas of SquidAxonRates / TraubMilesRates (hh_channels.hpp), operation for operation.
struct SquidAxon {
  static HWY_INLINE Gates Eval(D d, V v, V /*v_t*/) {
    const auto c = [d](double x) { return hn::Set(d, x); };
    const V v65 = hn::Neg(hn::Add(v, c(65.0)));
    return {hn::Mul(c(0.1), Vtrap(d, hn::Neg(hn::Add(v, c(40.0))), 10.0)),
            hn::Mul(c(4.0), ExpClamped(d, hn::Div(v65, c(18.0)))),
            hn::Mul(c(0.07), ExpClamped(d, hn::Div(v65, c(20.0)))),
            hn::Div(c(1.0),
                    hn::Add(ExpClamped(d, hn::Div(hn::Neg(hn::Add(v, c(35.0))), c(10.0))), c(1.0))),
            hn::Mul(c(0.01), Vtrap(d, hn::Neg(hn::Add(v, c(55.0))), 10.0)),
            hn::Mul(c(0.125), ExpClamped(d, hn::Div(v65, c(80.0))))};
  }
};

struct TraubMiles {
  static HWY_INLINE Gates Eval(D d, V v, V v_t) {
    const auto c = [d](double x) { return hn::Set(d, x); };
    const V u = hn::Sub(v, v_t);
    return {hn::Mul(c(0.32), Vtrap(d, hn::Sub(c(13.0), u), 4.0)),
            hn::Mul(c(0.28), Vtrap(d, hn::Sub(u, c(40.0)), 5.0)),
            hn::Mul(c(0.128), ExpClamped(d, hn::Div(hn::Sub(c(17.0), u), c(18.0)))),
            hn::Div(c(4.0), hn::Add(c(1.0), ExpClamped(d, hn::Div(hn::Sub(c(40.0), u), c(5.0))))),
            hn::Mul(c(0.032), Vtrap(d, hn::Sub(c(15.0), u), 5.0)),
            hn::Mul(c(0.5), ExpClamped(d, hn::Div(hn::Sub(c(10.0), u), c(40.0))))};
  }
};

// x relaxes towards alpha / (alpha + beta) at rate phi (alpha + beta), exactly for frozen V.
HWY_INLINE V GateStep(D d, V x, V alpha, V beta, V phi_h) {
  const V s = hn::Add(alpha, beta);
  const V x_inf = hn::Div(alpha, s);
  return hn::Add(x_inf, hn::Mul(hn::Sub(x, x_inf), hn::Exp(d, hn::Mul(hn::Neg(phi_h), s))));
}

// Lanes i .. i + Lanes - 1 of the block, of which the first `valid` are neurons. Not inlined:
// the body and the padded tail run this one piece of machine code.
template <class Rates>
HWY_NOINLINE void StepLanes(const Block& b, std::size_t i, std::size_t valid, double dt,
                            double v_bound, BlockResult& result) {
  const D d;
  const auto load = [d, i](const double* p) { return hn::LoadU(d, p + i); };
  const V one = hn::Set(d, 1.0);
  const V m = load(b.m), h = load(b.h), n = load(b.n);
  const V g_na = hn::Mul(hn::Mul(hn::Mul(hn::Mul(load(b.g_na), m), m), m), h);
  const V n2 = hn::Mul(n, n);
  const V g_k = hn::Mul(hn::Mul(load(b.g_k), n2), n2);
  const V g_l = load(b.g_l);
  const V g = hn::Add(hn::Add(hn::Add(g_na, g_k), g_l), load(b.g_syn));
  const V drive = hn::Add(hn::Add(hn::Add(hn::Mul(g_na, load(b.e_na)), hn::Mul(g_k, load(b.e_k))),
                                  hn::Mul(g_l, load(b.e_l))),
                          load(b.i_ext));
  // Crank-Nicolson for C dV/dt = drive - g V, linear in V with the gates at the half step:
  // V' = (V (C - dt g / 2) + dt drive) / (C + dt g / 2), one division (the divider is the
  // kernel's bottleneck) and no more roundings than the (1 - z) / (1 + z) form.
  const V c_m = load(b.c_m);
  const V half_g = hn::Mul(hn::Set(d, 0.5 * dt), g);
  const V v_old = load(b.v_m);
  const V v =
      hn::Add(hn::Div(hn::Add(hn::Mul(v_old, hn::Sub(c_m, half_g)), hn::Mul(hn::Set(d, dt), drive)),
                      hn::Add(c_m, half_g)),
              load(b.v_jump));

  const auto lanes = hn::FirstN(d, valid);
  const V v_th = load(b.v_th);
  const auto crossed = hn::And(hn::Lt(v_old, v_th), hn::Ge(v, v_th));
  V offset = hn::Set(d, -1.0);
  // Crossings are rare (a few per hundred vectors): the interpolation only where there is one.
  // The lanes' values do not depend on this branch.
  if (!hn::AllFalse(d, crossed)) {
    // v > v_old wherever crossed; elsewhere the quotient is discarded, so divide by one there.
    const V t = hn::Div(hn::Sub(v_th, v_old), hn::IfThenElse(crossed, hn::Sub(v, v_old), one));
    offset = hn::IfThenElse(crossed, t, offset);
    result.spikes += hn::CountTrue(d, hn::And(crossed, lanes));
  }
  hn::StoreU(offset, d, b.spike_offset + i);

  // Gates: a whole step at the new V, from the half step before it to the half step after.
  const Gates r = Rates::Eval(d, v, load(b.v_t));
  const V phi_h = hn::Mul(load(b.phi), hn::Set(d, dt));
  const V m_new = GateStep(d, m, r.alpha_m, r.beta_m, phi_h);
  const V h_new = GateStep(d, h, r.alpha_h, r.beta_h, phi_h);
  const V n_new = GateStep(d, n, r.alpha_n, r.beta_n, phi_h);
  hn::StoreU(v, d, b.v_m + i);
  hn::StoreU(m_new, d, b.m + i);
  hn::StoreU(h_new, d, b.h + i);
  hn::StoreU(n_new, d, b.n + i);
  const auto bad = hn::Or(hn::Not(hn::Le(hn::Abs(v), hn::Set(d, v_bound))),
                          hn::Not(hn::IsFinite(hn::Add(hn::Add(m_new, h_new), n_new))));
  result.bad = result.bad || !hn::AllFalse(d, hn::And(bad, lanes));
}

// Room for one vector of the widest target compiled in this pass.
constexpr std::size_t kMaxLanes = HWY_MAX_BYTES / sizeof(double);

// The last `rest` neurons of a block through a full vector: each input is copied to a
// lane-sized buffer, the spare lanes repeat the last neuron (finite, harmless values).
struct Tail {
  alignas(HWY_MAX_BYTES) std::array<std::array<double, kMaxLanes>, 19> buf;
  std::size_t used = 0;
  std::size_t from, rest, lanes;

  double* pad(const double* src) {
    double* dst = buf[used++].data();
    for (std::size_t j = 0; j < lanes; ++j) dst[j] = src[from + std::min(j, rest - 1)];
    return dst;
  }
  void unpad(const double* src, double* dst) const { std::copy_n(src, rest, dst + from); }
};

template <class Rates>
BlockResult AdvanceT(const Block& b, double dt, double v_bound) {
  const D d;
  const std::size_t lanes = hn::Lanes(d);
  BlockResult result;
  std::size_t i = 0;
  for (; i + lanes <= b.count; i += lanes) StepLanes<Rates>(b, i, lanes, dt, v_bound, result);
  if (i == b.count) return result;
  Tail t{.buf = {}, .used = 0, .from = i, .rest = b.count - i, .lanes = lanes};
  const Block p{.count = lanes,
                .c_m = t.pad(b.c_m),
                .g_na = t.pad(b.g_na),
                .g_k = t.pad(b.g_k),
                .g_l = t.pad(b.g_l),
                .e_na = t.pad(b.e_na),
                .e_k = t.pad(b.e_k),
                .e_l = t.pad(b.e_l),
                .v_t = t.pad(b.v_t),
                .v_th = t.pad(b.v_th),
                .phi = t.pad(b.phi),
                .g_syn = t.pad(b.g_syn),
                .i_ext = t.pad(b.i_ext),
                .v_jump = t.pad(b.v_jump),
                .v_m = t.pad(b.v_m),
                .m = t.pad(b.m),
                .h = t.pad(b.h),
                .n = t.pad(b.n),
                .spike_offset = t.pad(b.spike_offset)};
  StepLanes<Rates>(p, 0, t.rest, dt, v_bound, result);
  t.unpad(p.v_m, b.v_m);
  t.unpad(p.m, b.m);
  t.unpad(p.h, b.h);
  t.unpad(p.n, b.n);
  t.unpad(p.spike_offset, b.spike_offset);
  return result;
}

BlockResult Advance(RateSet rates, const Block& b, double dt, double v_bound) {
  return rates == RateSet::squid_axon ? AdvanceT<SquidAxon>(b, dt, v_bound)
                                      : AdvanceT<TraubMiles>(b, dt, v_bound);
}

template <class Rates>
void RatesT(std::span<const double> v, std::span<const double> v_t, std::span<GateRates> out) {
  const D d;
  const std::size_t lanes = hn::Lanes(d);
  for (std::size_t i = 0; i < v.size(); i += lanes) {
    // Always through the buffers: one code path for every neuron.
    Tail t{.buf = {}, .used = 0, .from = i, .rest = std::min(lanes, v.size() - i), .lanes = lanes};
    const Gates r = Rates::Eval(d, hn::Load(d, t.pad(v.data())), hn::Load(d, t.pad(v_t.data())));
    const std::array<V, 6> all{r.alpha_m, r.beta_m, r.alpha_h, r.beta_h, r.alpha_n, r.beta_n};
    for (std::size_t k = 0; k < all.size(); ++k) {
      double* lane = t.buf[t.used + k].data();
      hn::Store(all[k], d, lane);
      for (std::size_t j = 0; j < t.rest; ++j) {
        GateRates& g = out[i + j];
        double* field[6] = {&g.alpha_m, &g.beta_m, &g.alpha_h, &g.beta_h, &g.alpha_n, &g.beta_n};
        *field[k] = lane[j];
      }
    }
  }
}

void Rates(RateSet rates, std::span<const double> v, std::span<const double> v_t,
           std::span<GateRates> out) {
  if (rates == RateSet::squid_axon)
    RatesT<SquidAxon>(v, v_t, out);
  else
    RatesT<TraubMiles>(v, v_t, out);
}

}  // namespace HWY_NAMESPACE
}  // namespace myelin::hh_kernel
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace myelin::hh_kernel {

HWY_EXPORT(Advance);
HWY_EXPORT(Rates);

BlockResult advance(RateSet rates, const Block& block, double dt, double v_bound) {
  return HWY_DYNAMIC_DISPATCH(Advance)(rates, block, dt, v_bound);
}

void rates(RateSet rates, std::span<const double> v, std::span<const double> v_t,
           std::span<GateRates> out) {
  HWY_DYNAMIC_DISPATCH(Rates)(rates, v, v_t, out);
}

}  // namespace myelin::hh_kernel
#endif
