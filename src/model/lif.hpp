#pragma once

// Leaky integrate-and-fire neuron (NEST iaf_psc_delta / iaf_psc_exp / iaf_cond_exp conventions).
//
//   C_m dV/dt = -(C_m / tau_m)(V - E_L) + I_e + I_syn + noise
//   V > V_th   ->  spike, V <- V_reset, V clamped for t_ref
//
// Integration is exact between steps for delta, exponential- and alpha-current synapses (V
// relaxes to V_inf = E_L + R I_e with factor exp(-dt/tau_m); each synaptic current adds its
// exact propagator (Rotter & Diesmann 1999), including tau_syn == tau_m); the white-noise current
// is integrated exactly as an Ornstein-Uhlenbeck process whose free stationary SD is noise_sigma.
// With conductance synapses the step uses the exact step-mean conductance in an exponential
// integrator (second order). The threshold crossing time inside a step and the end of the
// refractory period are resolved continuously, so the firing rate does not carry the O(dt) error of
// counting whole steps.
//
// Every step runs through a SIMD kernel (model/lif_kernel.hpp) given the population's ports,
// noise and dc; the neurons above threshold or leaving the refractory period inside the step
// are finished one by one afterwards.

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "core/population_spec.hpp"
#include "model/model_context.hpp"
#include "model/parameter_info.hpp"
#include "model/recordable_view.hpp"
#include "model/state_array.hpp"
#include "myelin/health.hpp"
#include "myelin/types.hpp"

namespace myelin {

std::span<const ParameterInfo> lif_parameters();
std::span<const std::string_view> lif_recordables();
// Cross-parameter checks that the per-parameter ranges cannot express (V_reset < V_th ...).
void check_lif_constraints(const PopulationSpec& pop, std::uint64_t seed);

class LifPopulation {
 public:
  // `gids` are the global ids of the neurons this rank owns, ascending; `first_gid` is the gid
  // of the population's neuron 0 (parameters are drawn by population-local index).
  LifPopulation(const PopulationSpec& config, std::span<const Gid> gids, Gid first_gid,
                const ModelContext& context);
  static const ModelInfo& info();

  std::size_t size() const { return gid_.size(); }
  std::span<const Gid> gids() const { return gid_; }

  // Advances neurons [begin, end) through step `step`. `input` holds, port-major
  // (input[port * size() + i]), the summed weights that arrive at the end of this step. Spikes
  // are appended in ascending gid order; the first bad value (non-finite or |V| > v_bound)
  // goes to `health`.
  void update(std::size_t begin, std::size_t end, Step step, std::span<const double> input,
              std::vector<Spike>& spikes, Health& health);
  // update(), and the rows of `input` for neurons [begin, end) are zero afterwards (the
  // simulation's ring slot is then cleared in the kernel's pass instead of a second one).
  void update_and_clear(std::size_t begin, std::size_t end, Step step, std::span<double> input,
                        std::vector<Spike>& spikes, Health& health);

  // Recordable variable `variable` (index into lif_recordables()) as arrays, resolved once by
  // the recorder; value() reads one neuron through it (tests, one-off reads).
  RecordableView recordable(std::size_t variable) const;
  double value(std::size_t variable, std::size_t i) const { return recordable(variable).at(i); }
  // Dynamic state by name, for checkpoints (model/state_array.hpp).
  std::vector<StateArray> state();

 private:
  void step_range(std::size_t begin, std::size_t end, Step step, std::span<double> input,
                  bool clear_input, std::vector<Spike>& spikes, Health& health);
  // Neuron i that the kernel left to us (spiking, or its refractory period ends in this step),
  // with the step's normal xi; returns whether its new V_m is bad.
  bool finish(std::size_t i, double xi, Step step, double dc, std::span<const double> input,
              std::vector<Spike>& spikes);
  // Fraction of the step at which the deterministic trajectory from v_old first reaches V_th.
  double crossing_fraction(std::size_t i, double v_old, double v_inf) const;
  // The crossing time [ms] when every current port is exp_current; f_lo < 0 < f_hi are the
  // excess over V_th at the step's ends.
  double newton_crossing(std::size_t i, double v_old, double v_inf, double f_lo, double f_hi) const;
  double hermite_start(std::size_t i, double v_old, double v_inf, double f0, double f1) const;
  // V response over h to the current ports' state `offset` ms into the step; decay_m is
  // exp(-h / tau_m), computed once for every port.
  double current_response(std::size_t i, double offset, double h, double decay_m) const;

  std::vector<Gid> gid_;
  std::vector<DcWindow> dc_;  // [input.NAME] type = "dc" onto this population
  SynapsePorts ports_;
  std::vector<std::size_t> current_ports_;  // exp_current, alpha_current ports (exact)
  std::vector<std::size_t> delta_ports_;
  bool exp_ports_only_ = false;  // every current port is exp_current: Newton for the crossing
  std::vector<double> c_m_;      // [pF]
  double dt_;
  std::uint64_t seed_;
  double v_bound_;
  bool any_noise_ = false;
  bool uniform_ = false;  // every per-neuron constant below is the same: lif_kernel::Args::uniform
  // Per-neuron constants.
  std::vector<double> tau_m_;        // [ms]
  std::vector<double> decay_;        // exp(-dt/tau_m)
  std::vector<double> v_inf_;        // [mV] E_L + R I_e
  std::vector<double> dc_gain_;      // [mV/pA] tau_m / C_m
  std::vector<double> g_l_;          // [nS] C_m / tau_m
  std::vector<double> v_th_;         // [mV]
  std::vector<double> v_reset_;      // [mV]
  std::vector<double> t_ref_steps_;  // t_ref / dt
  std::vector<double> noise_sigma_;  // [mV] stationary SD of the free membrane potential
  std::vector<double> noise_step_;   // [mV] SD of the noise added in one step
  // State.
  std::vector<double> v_m_;          // [mV]
  std::vector<double> refractory_;   // [steps] left in the refractory period, fractional
  std::vector<double> spare_noise_;  // [3][n]: the normals of steps 4 quad + 1, 2, 3
  std::vector<std::vector<double>> current_step_;  // [current port][i] propagator of I over dt
  // [current port][i] exp_current ports: d/dh of that propagator at h = dt (Newton's start)
  std::vector<std::vector<double>> current_slope_end_;
  std::vector<std::vector<double>> rising_step_;  // [current port][i] of alpha's y (0: exp)
};

}  // namespace myelin
