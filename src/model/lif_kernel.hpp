#pragma once

// The vector body of a LIF step (model/lif.cpp), compiled for every SIMD target
// Highway knows and chosen at run time, so an x86-64-v2 binary still uses AVX2 or AVX-512.
//
// Every neuron of [begin, end) takes the same arithmetic whether it falls in a full vector or
// in the tail (which runs the same code on one-lane vectors) or in another range split: add, mul
// and fused multiply-add are lane-independent IEEE operations and the transcendental functions
// are always the vector ones, so the bits never depend on ranks or threads. The rare cases, a
// neuron above threshold or one whose refractory period ends inside the step, are only flagged
// here; the caller resolves them one by one from that neuron's own state.
//
// The bits depend on the SIMD target (fused multiply-adds inside the vector exp and the noise
// kernel's log, sin and cos from AVX2 on), so a run split over machines of different SIMD
// generations is reproducible per machine type, not bitwise across them.

#include <boost/container/small_vector.hpp>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "myelin/types.hpp"

namespace myelin::lif_kernel {

// One exp_current or alpha_current port: V gains state * step + rising * rising_step.
struct CurrentPort {
  const double* state = nullptr;
  const double* rising = nullptr;  // nullptr for exp_current
  const double* step = nullptr;
  const double* rising_step = nullptr;
};

// A port in the exact step means of a conductance-based population (SynapsePorts::mean_drive):
// mean * state + mean_from_y * rising adds to the conductance or to the current.
struct MeanPort {
  const double* state = nullptr;
  const double* rising = nullptr;  // nullptr for the exp kinds
  double mean = 0.0, mean_from_y = 0.0, e_rev = 0.0;
  bool conductance = false;
};

// A port with state, advanced in the same pass once V has used its value at the start of the
// step: I (or g) <- I decay + w for the exp kinds; I <- (I + dt y) decay, y <- y decay + w e/tau
// for the alpha kinds (SynapsePorts::advance, the same operations). The flagged neurons keep
// their start-of-step state for the caller, which advances them after finishing them.
struct AdvancePort {
  double* state = nullptr;
  double* rising = nullptr;  // nullptr for the exp kinds
  double* input = nullptr;   // the summed weights arriving at the end of the step (clear_input)
  double decay = 1.0, dt = 0.0, alpha_scale = 0.0;
};

// fresh: draw the normals of steps 4 quad .. 4 quad + 3 (one Philox block per neuron), use the
// first and keep the others in the spares; spare: use spare `phase - 1`.
enum class Noise { none, fresh, spare };

// The arrays of one population, indexed by local neuron, and the step's uniform inputs.
struct Args {
  double* v_m = nullptr;
  double* refractory = nullptr;
  double* spare_noise = nullptr;  // [3][spare_stride]: the normals of steps 4 quad + 1, 2, 3
  std::size_t spare_stride = 0;
  const double* v_inf = nullptr;
  const double* dc_gain = nullptr;  // tau_m / C_m: V_inf shift per pA of dc
  const double* decay = nullptr;
  const double* v_th = nullptr;
  const double* v_reset = nullptr;
  const double* noise_step = nullptr;
  const Gid* gid = nullptr;
  // Every per-neuron constant array (v_inf ... noise_step, the ports' step arrays, g_l, c_m)
  // holds one value: the kernel broadcasts element 0 instead of streaming the arrays.
  bool uniform = false;
  // Tests: the general kernel even where a specialised one applies (they give the same bits).
  bool general_only = false;
  // Zero the input rows (delta and advanced ports) of every neuron that is not flagged, in the
  // same pass, so the caller need not clear the ring slot afterwards; false: the rows are only
  // read.
  bool clear_input = false;
  double dc = 0.0;  // [pA]; 0 skips the dc term
  double v_bound = 0.0;
  Noise noise = Noise::none;
  std::uint64_t seed = 0;
  std::uint64_t quad = 0;          // step / 4: the Philox counter of the step's noise block
  std::size_t phase = 0;           // step % 4
  std::span<double* const> delta;  // input row of each delta port
  std::span<const CurrentPort> currents;
  // Conductance-based populations: V relaxes with the step-mean conductance instead (then
  // `currents` is empty and `decay` unused).
  std::span<const MeanPort> means;
  std::span<const AdvancePort> advance;
  const double* g_l = nullptr;  // [nS] C_m / tau_m
  const double* c_m = nullptr;  // [pF]
  double dt = 0.0;              // [ms]
};

// A neuron the caller must finish: V_m and refractory are left untouched, xi is its normal.
struct Rare {
  std::size_t index;
  double xi;
};
// A few neurons a step are rare: stack storage spares an allocation per call.
using RareList = boost::container::small_vector<Rare, 32>;

// Advances the subthreshold, non-refractory-ending neurons of [begin, end) (V_m, the refractory
// counter and the `advance` ports), appends the others to `rare` in ascending order, untouched,
// and returns whether some stored V_m is non-finite or beyond v_bound.
bool membrane_step(const Args& args, std::size_t begin, std::size_t end, RareList& rare);

}  // namespace myelin::lif_kernel
