#include "model/lif.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <boost/container/small_vector.hpp>
#include <cmath>
#include <limits>
#include <string>

#include "model/dc_input.hpp"
#include "model/lif_kernel.hpp"
#include "model/lif_propagators.hpp"
#include "model/neuron_params.hpp"
#include "myelin/errors.hpp"

namespace myelin {

namespace {

constexpr double inf = std::numeric_limits<double>::infinity();
constexpr double nan = std::numeric_limits<double>::quiet_NaN();

// Defaults follow NEST iaf_psc_delta, except noise (absent in NEST's model).
constexpr std::array<ParameterInfo, 9> parameters = {{
    {"tau_m", "ms", 10.0, 0.0, inf, true, "membrane time constant"},
    {"C_m", "pF", 250.0, 0.0, inf, true, "membrane capacitance"},
    {"E_L", "mV", -70.0, -inf, inf, false, "resting potential"},
    {"V_th", "mV", -55.0, -inf, inf, false, "spike threshold"},
    {"V_reset", "mV", -70.0, -inf, inf, false, "reset potential, must be < V_th"},
    {"t_ref", "ms", 2.0, 0.0, inf, false, "absolute refractory period"},
    {"I_e", "pA", 0.0, -inf, inf, false, "constant input current"},
    {"noise_sigma", "mV", 0.0, 0.0, inf, false,
     "stationary SD of the free membrane potential driven by white-noise current"},
    {"V_m", "mV", nan, -inf, inf, false, "initial membrane potential (default: E_L)"},
}};

constexpr std::array<std::string_view, 3> recordables = {"V_m", "I_syn", "g_syn"};

}  // namespace

std::span<const ParameterInfo> lif_parameters() {
  return parameters;
}
std::span<const std::string_view> lif_recordables() {
  return recordables;
}

const ModelInfo& LifPopulation::info() {
  static const ModelInfo model{.name = "lif",
                               .parameters = parameters,
                               .recordables = recordables,
                               .check = &check_lif_constraints};
  return model;
}

void check_lif_constraints(const PopulationSpec& pop, std::uint64_t seed) {
  const NeuronParams value{pop, seed};
  const std::string key = "population." + pop.name + ".V_reset";
  for (std::uint32_t i = 0; i < pop.size; ++i) {
    const double v_reset = value("V_reset", i);
    const double v_th = value("V_th", i);
    if (!(v_reset < v_th)) {
      std::string where =
          pop.params.at("V_reset").is_constant() && pop.params.at("V_th").is_constant()
              ? std::string()
              : " (neuron " + std::to_string(i) + ")";
      throw input_error(key, std::to_string(v_reset),
                        "must be < V_th = " + std::to_string(v_th) + " [mV]" + where);
    }
    if (pop.params.at("V_reset").is_constant() && pop.params.at("V_th").is_constant()) break;
  }
}

LifPopulation::LifPopulation(const PopulationSpec& config, std::span<const Gid> gids, Gid first_gid,
                             const ModelContext& context)
    : gid_(gids.begin(), gids.end()),
      dc_(config.dc),
      ports_(context.ports_or_delta(), gids.size(), context.dt),
      dt_(context.dt),
      seed_(context.seed),
      v_bound_(context.v_bound) {
  const double dt = dt_;
  const std::size_t n = gid_.size();
  for (std::size_t q = 0; q < ports_.size(); ++q)
    if (is_current(ports_.specs()[q].kind))
      current_ports_.push_back(q);
    else if (ports_.specs()[q].kind == SynapseKind::delta)
      delta_ports_.push_back(q);
  exp_ports_only_ = std::all_of(current_ports_.begin(), current_ports_.end(), [&](std::size_t q) {
    return ports_.specs()[q].kind == SynapseKind::exp_current;
  });
  c_m_.resize(n);
  tau_m_.resize(n);
  decay_.resize(n);
  v_inf_.resize(n);
  dc_gain_.resize(n);
  g_l_.resize(n);
  v_th_.resize(n);
  v_reset_.resize(n);
  t_ref_steps_.resize(n);
  noise_sigma_.resize(n);
  noise_step_.resize(n);
  v_m_.resize(n);
  refractory_.assign(n, 0.0);
  spare_noise_.assign(3 * n, 0.0);
  current_step_.assign(current_ports_.size(), std::vector<double>(n, 0.0));
  rising_step_.assign(current_ports_.size(), std::vector<double>(n, 0.0));
  current_slope_end_.assign(exp_ports_only_ ? current_ports_.size() : 0, std::vector<double>(n));
  const NeuronParams value{config, seed_};
  for (std::size_t i = 0; i < n; ++i) {
    const auto local = static_cast<std::uint32_t>(gid_[i] - first_gid);
    const double tau_m = value("tau_m", local);
    const double e_l = value("E_L", local);
    c_m_[i] = value("C_m", local);
    tau_m_[i] = tau_m;
    decay_[i] = std::exp(-dt / tau_m);
    // tau_m * I_e / C_m rounds to the exact R*I for round inputs (R I = 15 mV at 1.5 nA, 10 MOhm),
    // so a drive exactly at threshold never fires, as the closed form says.
    v_inf_[i] = e_l + tau_m * value("I_e", local) / c_m_[i];
    dc_gain_[i] = tau_m / c_m_[i];
    g_l_[i] = c_m_[i] / tau_m;
    v_th_[i] = value("V_th", local);
    v_reset_[i] = value("V_reset", local);
    t_ref_steps_[i] = value("t_ref", local) / dt;
    noise_sigma_[i] = value("noise_sigma", local);
    noise_step_[i] = noise_sigma_[i] * std::sqrt(-std::expm1(-2.0 * dt / tau_m));
    any_noise_ = any_noise_ || noise_sigma_[i] > 0.0;
    const double v0 = value("V_m", local);
    v_m_[i] = std::isnan(v0) ? e_l : v0;
    for (std::size_t c = 0; c < current_ports_.size(); ++c) {
      const PortSpec& spec = ports_.specs()[current_ports_[c]];
      const double decay_m = std::exp(-dt / tau_m);
      current_step_[c][i] = current_propagator(dt, decay_m, tau_m, spec.tau_syn, c_m_[i]);
      if (exp_ports_only_)
        current_slope_end_[c][i] =
            current_propagator_slope(dt, decay_m, tau_m, spec.tau_syn, c_m_[i]);
      if (is_alpha(spec.kind))
        rising_step_[c][i] = rising_propagator(dt, decay_m, tau_m, spec.tau_syn, c_m_[i]);
    }
  }
  const auto same = [](const std::vector<double>& x) {
    return std::all_of(x.begin(), x.end(), [&](double v) {
      return std::bit_cast<std::uint64_t>(v) == std::bit_cast<std::uint64_t>(x.front());
    });
  };
  uniform_ = n > 0 && same(v_inf_) && same(dc_gain_) && same(decay_) && same(v_th_) &&
             same(v_reset_) && same(noise_step_) && same(g_l_) && same(c_m_) &&
             std::all_of(current_step_.begin(), current_step_.end(), same) &&
             std::all_of(rising_step_.begin(), rising_step_.end(), same);
}

void LifPopulation::update(std::size_t begin, std::size_t end, Step step,
                           std::span<const double> input, std::vector<Spike>& spikes,
                           Health& health) {
  // Read only: with clear_input false neither the kernel nor step_range writes the rows.
  step_range(begin, end, step, std::span(const_cast<double*>(input.data()), input.size()), false,
             spikes, health);
}

void LifPopulation::update_and_clear(std::size_t begin, std::size_t end, Step step,
                                     std::span<double> input, std::vector<Spike>& spikes,
                                     Health& health) {
  step_range(begin, end, step, input, true, spikes, health);
}

void LifPopulation::step_range(std::size_t begin, std::size_t end, Step step,
                               std::span<double> input, bool clear_input,
                               std::vector<Spike>& spikes, Health& health) {
  // One Philox block gives the normals of four consecutive steps 4 quad + k
  // (noise_kernel::step_normal): those of k = 1, 2, 3 wait in spare_noise_. Runs start at step 0 or
  // from a checkpoint, which holds the spares.
  const auto quad = static_cast<std::uint64_t>(step) >> 2;
  const auto phase = static_cast<std::size_t>(step & 3);
  const std::size_t n = size();
  // Per call, a handful of ports: on the stack (two calls a step and population otherwise cost
  // five heap allocations).
  boost::container::small_vector<double*, 4> delta;
  for (const std::size_t q : delta_ports_) delta.push_back(input.data() + q * n);
  // Current ports have exact propagators for the fixed tau_m; with conductances V relaxes with
  // the step-mean conductance, and every port enters through its step mean.
  boost::container::small_vector<lif_kernel::CurrentPort, 4> currents;
  boost::container::small_vector<lif_kernel::MeanPort, 4> means;
  if (!ports_.any_conductance()) {
    for (std::size_t c = 0; c < current_ports_.size(); ++c) {
      const std::size_t q = current_ports_[c];
      const double* rising = ports_.risings(q);
      currents.push_back({ports_.values(q), rising, current_step_[c].data(),
                          rising == nullptr ? nullptr : rising_step_[c].data()});
    }
  } else {
    for (std::size_t q = 0; q < ports_.size(); ++q) {
      const PortSpec& spec = ports_.specs()[q];
      if (spec.kind == SynapseKind::delta) continue;
      means.push_back({ports_.values(q), ports_.risings(q), ports_.mean(q), ports_.mean_from_y(q),
                       spec.e_rev, is_conductance(spec.kind)});
    }
  }
  boost::container::small_vector<lif_kernel::AdvancePort, 4> advance;
  for (std::size_t q = 0; q < ports_.size(); ++q) {
    if (ports_.specs()[q].kind == SynapseKind::delta) continue;
    const SynapsePorts::AdvanceTerms t = ports_.advance_terms(q);
    advance.push_back({t.state, t.rising, input.data() + q * n, t.decay, t.dt, t.alpha_scale});
  }
  const double dc = dc_.empty() ? 0.0 : dc_current(dc_, step);  // [pA]
  const lif_kernel::Args args{
      .v_m = v_m_.data(),
      .refractory = refractory_.data(),
      .spare_noise = spare_noise_.data(),
      .spare_stride = size(),
      .v_inf = v_inf_.data(),
      .dc_gain = dc_gain_.data(),
      .decay = decay_.data(),
      .v_th = v_th_.data(),
      .v_reset = v_reset_.data(),
      .noise_step = noise_step_.data(),
      .gid = gid_.data(),
      .uniform = uniform_,
      .clear_input = clear_input,
      .dc = dc,
      .v_bound = v_bound_,
      .noise = !any_noise_  ? lif_kernel::Noise::none
               : phase == 0 ? lif_kernel::Noise::fresh
                            : lif_kernel::Noise::spare,
      .seed = seed_,
      .quad = quad,
      .phase = phase,
      .delta = {delta.data(), delta.size()},
      .currents = {currents.data(), currents.size()},
      .means = {means.data(), means.size()},
      .advance = {advance.data(), advance.size()},
      .g_l = g_l_.data(),
      .c_m = c_m_.data(),
      .dt = dt_,
  };
  // The kernel advances the ports of every neuron but the flagged ones, which need the
  // ports' state at the start of the step: they are advanced after they are finished.
  lif_kernel::RareList rare;
  bool bad = lif_kernel::membrane_step(args, begin, end, rare);
  for (const lif_kernel::Rare& r : rare) {
    bad |= finish(r.index, r.xi, step, dc, input, spikes);
    ports_.advance(r.index, input);
    if (clear_input)
      for (std::size_t q = 0; q < ports_.size(); ++q) input[q * n + r.index] = 0.0;
  }
  if (bad) [[unlikely]] {
    for (std::size_t i = begin; i < end; ++i) {
      if (!(std::abs(v_m_[i]) <= v_bound_)) {
        health.report(step, gid_[i], 0, v_m_[i]);
        break;
      }
    }
  }
}

bool LifPopulation::finish(std::size_t i, double xi, Step step, double dc,
                           std::span<const double> input, std::vector<Spike>& spikes) {
  // The kernel's V_inf and jump, by the same operations.
  const double v_drive = dc == 0.0 ? v_inf_[i] : v_inf_[i] + dc_gain_[i] * dc;
  double jump = 0.0;
  for (const std::size_t q : delta_ports_) jump += input[q * size() + i];
  double v_inf = v_drive;
  double tau = tau_m_[i];
  const bool conductance = ports_.any_conductance();
  if (conductance) {
    const SynapticDrive d = ports_.mean_drive(i);
    const double g = g_l_[i] + d.conductance;
    v_inf = (g_l_[i] * v_drive + d.current + d.g_e_rev) / g;
    tau = c_m_[i] / g;
  }
  const double v_old = v_m_[i];
  const double r = refractory_[i];
  bool spiking = true;  // flagged and not refractory: above threshold
  double v = v_old;
  if (r > 0.0) {
    // The refractory period ends inside this step: integrate the remaining fraction.
    const double h = (1.0 - r) * dt_;
    const double e = std::exp(-h / tau);
    // Without conductances tau is tau_m, so e is the membrane decay current_response needs.
    const double syn =
        conductance || current_ports_.empty() ? 0.0 : current_response(i, r * dt_, h, e);
    // Without noise the term is a signed zero: skipped, with the same bits.
    const double noise = noise_sigma_[i] == 0.0
                             ? 0.0
                             : noise_sigma_[i] * std::sqrt(-std::expm1(-2.0 * h / tau_m_[i])) * xi;
    v = v_inf + (v_reset_[i] - v_inf) * e + syn + noise + jump;
    refractory_[i] = 0.0;
    spiking = v > v_th_[i];
  }
  if (spiking) {
    double crossing = 1.0;
    if (r > 0.0) {
      // Released inside the step: the crossing is not resolved (end of step).
    } else if (!conductance) {
      crossing = crossing_fraction(i, v_old, v_inf);
    } else if (v_inf > v_th_[i] && v_old < v_th_[i]) {
      crossing = std::min(1.0, tau * std::log((v_inf - v_old) / (v_inf - v_th_[i])) / dt_);
    }
    spikes.push_back({step, gid_[i], static_cast<float>(crossing)});
    v = v_reset_[i];
    refractory_[i] = std::max(0.0, t_ref_steps_[i] - (1.0 - crossing));
  }
  v_m_[i] = v;
  return !(std::abs(v) <= v_bound_);
}

RecordableView LifPopulation::recordable(std::size_t variable) const {
  if (variable == 0) return RecordableView::of(v_m_);
  return {ports_.total_terms(variable == 2), false};
}

std::vector<StateArray> LifPopulation::state() {
  const std::size_t n = size();
  const std::span<double> spare(spare_noise_);
  std::vector<StateArray> out{real_state("V_m", v_m_),
                              real_state("refractory", refractory_),
                              {"spare_noise_1", spare.subspan(0, n), {}, false},
                              {"spare_noise_2", spare.subspan(n, n), {}, false},
                              {"spare_noise_3", spare.subspan(2 * n, n), {}, false}};
  ports_.add_state(out);
  return out;
}

}  // namespace myelin
