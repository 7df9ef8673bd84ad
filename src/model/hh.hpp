#pragma once

// Hodgkin-Huxley-type point neurons in absolute units (NEST hh_psc_alpha names):
//
//   C_m dV/dt = I_e + I_syn + noise - g_Na m^3 h (V - E_Na) - g_K n^4 (V - E_K) - g_L (V - E_L)
//   dx/dt = phi (alpha_x(V) (1 - x) - beta_x(V) x),  x in {m, h, n},
//   phi = q10 ^ ((T - T_rate) / 10)
//
// `hh` is the squid axon, `traub_miles` the COBAHH cell; they differ only in their rates.
//
// Scheme (staggered, second order, stable at any dt): the gates live at half steps and advance
// exactly for V frozen at the integer step (x relaxes exponentially to x_inf(V)); V advances by
// Crank-Nicolson with the gates at the half step, which is linear in V, so each step is
// explicit. NEURON's second-order scheme has the same structure. Synaptic conductances and
// currents enter as their exact means over the step. A spike is an upward crossing of V_th,
// its time interpolated linearly inside the step.
//
// The step runs in SIMD lanes (model/hh_kernel.hpp) over blocks of neurons whose synaptic
// drive is first gathered per neuron: every neuron goes through the same vector code, so its
// bits do not depend on the split of the population over threads and ranks.

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "core/population_spec.hpp"
#include "model/hh_channels.hpp"
#include "model/model_context.hpp"
#include "model/parameter_info.hpp"
#include "model/recordable_view.hpp"
#include "model/state_array.hpp"
#include "myelin/health.hpp"
#include "myelin/types.hpp"

namespace myelin {

std::span<const ParameterInfo> hh_parameters();
std::span<const ParameterInfo> traub_miles_parameters();
std::span<const std::string_view> hh_recordables();

template <typename Rates>
class ConductanceNeuronPopulation {
 public:
  ConductanceNeuronPopulation(const PopulationSpec& config, std::span<const Gid> gids,
                              Gid first_gid, const ModelContext& context);
  static const ModelInfo& info();  // specialised per Rates (hh.cpp)

  std::size_t size() const { return gid_.size(); }
  void update(std::size_t begin, std::size_t end, Step step, std::span<const double> input,
              std::vector<Spike>& spikes, Health& health);
  // 0 V_m [mV], 1 m, 2 h, 3 n (gates half a step ahead of V), 4 I_syn [pA], 5 g_syn [nS].
  // As arrays, resolved once by the recorder; value() reads one neuron through it.
  RecordableView recordable(std::size_t variable) const;
  double value(std::size_t variable, std::size_t i) const { return recordable(variable).at(i); }
  // Dynamic state by name, for checkpoints (model/state_array.hpp).
  std::vector<StateArray> state();

 private:
  std::vector<Gid> gid_;
  std::vector<DcWindow> dc_;  // [input.NAME] type = "dc" onto this population
  SynapsePorts ports_;
  double dt_;
  std::uint64_t seed_;
  double v_bound_;
  bool any_noise_ = false;
  bool any_delta_ = false;  // a delta port: V jumps by its input
  // Per-neuron constants.
  std::vector<double> c_m_, g_na_, g_k_, g_l_, e_na_, e_k_, e_l_, i_e_, v_t_, v_th_, phi_;
  std::vector<double> noise_step_;  // [pA] SD of the piecewise-constant noise current per step
  // State.
  std::vector<double> v_m_, m_, h_, n_;
};

template <>
const ModelInfo& ConductanceNeuronPopulation<SquidAxonRates>::info();
template <>
const ModelInfo& ConductanceNeuronPopulation<TraubMilesRates>::info();

using HhPopulation = ConductanceNeuronPopulation<SquidAxonRates>;
using TraubMilesPopulation = ConductanceNeuronPopulation<TraubMilesRates>;

}  // namespace myelin
