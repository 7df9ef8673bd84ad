#pragma once

// The vector kernel of the Hodgkin-Huxley-type populations (model/hh.hpp): one step of the
// staggered scheme for a block of neurons, in SIMD lanes chosen at run time (Highway dynamic
// dispatch: AVX-512, AVX2 or SSE4 on x86). Every neuron of a block goes through the same lane
// code, the tail too (padded through a lane-sized buffer), so a neuron's bits never depend on
// where a thread or rank range starts or how long it is.

#include <cstddef>
#include <span>

#include "model/hh_channels.hpp"

namespace myelin::hh_kernel {

// A block of `count` neurons: every pointer addresses `count` consecutive values.
struct Block {
  std::size_t count = 0;
  // Per-neuron parameters: C_m [pF], peak conductances [nS], reversals [mV], V_T [mV], V_th [mV],
  // phi (temperature factor of the rates).
  const double *c_m, *g_na, *g_k, *g_l, *e_na, *e_k, *e_l, *v_t, *v_th, *phi;
  // The drive over the step: synaptic mean conductance [nS], every current [pA] (synaptic
  // g E_rev and current ports, I_e, dc input, noise), and the delta-synapse jump of V [mV].
  const double *g_syn, *i_ext, *v_jump;
  // State, advanced in place: V at the integer step, the gates at the half step.
  double *v_m, *m, *h, *n;
  // Out: where in the step V crossed V_th upwards, in [0, 1]; -1 where it did not.
  double* spike_offset;
};

struct BlockResult {
  std::size_t spikes = 0;  // lanes with a crossing
  bool bad = false;        // some |V| > v_bound, or a gate not finite
};

BlockResult advance(RateSet rates, const Block& block, double dt, double v_bound);

// The kernel's rate functions (not the scalar ones of hh_channels.hpp) at v[k], v_t[k]: for
// the initial steady-state gates and for tests of the vector code.
void rates(RateSet rates, std::span<const double> v, std::span<const double> v_t,
           std::span<GateRates> out);

}  // namespace myelin::hh_kernel
