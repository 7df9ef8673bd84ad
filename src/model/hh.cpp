#include "model/hh.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>

#include "model/dc_input.hpp"
#include "model/hh_kernel.hpp"
#include "model/neuron_params.hpp"
#include "model/noise_kernel.hpp"

namespace myelin {

namespace {

constexpr double inf = std::numeric_limits<double>::infinity();

// The squid axon on 10,000 um^2 (1e-4 cm^2): 1 uF/cm^2 -> 100 pF, 120 mS/cm^2 -> 12000 nS ...
// so I_e = 1000 pA is 10 uA/cm^2.
constexpr std::array<ParameterInfo, 13> hh_params = {{
    {"C_m", "pF", 100.0, 0.0, inf, true, "membrane capacitance"},
    {"g_Na", "nS", 12000.0, 0.0, inf, false, "sodium peak conductance"},
    {"g_K", "nS", 3600.0, 0.0, inf, false, "potassium peak conductance"},
    {"g_L", "nS", 30.0, 0.0, inf, false, "leak conductance"},
    {"E_Na", "mV", 50.0, -inf, inf, false, "sodium reversal potential (number or Nernst)"},
    {"E_K", "mV", -77.0, -inf, inf, false, "potassium reversal potential (number or Nernst)"},
    {"E_L", "mV", -54.387, -inf, inf, false, "leak reversal potential"},
    {"I_e", "pA", 0.0, -inf, inf, false, "constant input current"},
    {"V_th", "mV", 0.0, -inf, inf, false, "spike = upward crossing of V_th"},
    {"q10", "", 3.0, 0.0, inf, true, "rate factor per 10 degC"},
    {"T_rate", "degC", 6.3, -273.15, inf, false, "temperature at which the rates hold"},
    {"noise_sigma", "pA", 0.0, 0.0, inf, false, "white-noise current: SD of its average over 1 ms"},
    {"V_m", "mV", -65.0, -inf, inf, false, "initial V_m (gates start at steady state)"},
}};

// The COBAHH cell (Brette et al. 2007) on 20,000 um^2.
constexpr std::array<ParameterInfo, 14> traub_params = {{
    {"C_m", "pF", 200.0, 0.0, inf, true, "membrane capacitance"},
    {"g_Na", "nS", 20000.0, 0.0, inf, false, "sodium peak conductance"},
    {"g_K", "nS", 6000.0, 0.0, inf, false, "potassium (delayed rectifier) peak conductance"},
    {"g_L", "nS", 10.0, 0.0, inf, false, "leak conductance"},
    {"E_Na", "mV", 50.0, -inf, inf, false, "sodium reversal potential (number or Nernst)"},
    {"E_K", "mV", -90.0, -inf, inf, false, "potassium reversal potential (number or Nernst)"},
    {"E_L", "mV", -60.0, -inf, inf, false, "leak reversal potential"},
    {"V_T", "mV", -63.0, -inf, inf, false, "shift of the rate functions"},
    {"I_e", "pA", 0.0, -inf, inf, false, "constant input current"},
    {"V_th", "mV", -20.0, -inf, inf, false, "spike = upward crossing of V_th"},
    {"q10", "", 1.0, 0.0, inf, true, "rate factor per 10 degC (1: temperature-independent)"},
    {"T_rate", "degC", 36.0, -273.15, inf, false, "temperature at which the rates hold"},
    {"noise_sigma", "pA", 0.0, 0.0, inf, false, "white-noise current: SD of its average over 1 ms"},
    {"V_m", "mV", -60.0, -inf, inf, false, "initial V_m (gates start at steady state)"},
}};

constexpr std::array<std::string_view, 6> recordables = {"V_m", "m", "h", "n", "I_syn", "g_syn"};

}  // namespace

std::span<const ParameterInfo> hh_parameters() {
  return hh_params;
}
std::span<const ParameterInfo> traub_miles_parameters() {
  return traub_params;
}
std::span<const std::string_view> hh_recordables() {
  return recordables;
}

template <typename Rates>
ConductanceNeuronPopulation<Rates>::ConductanceNeuronPopulation(const PopulationSpec& config,
                                                                std::span<const Gid> gids,
                                                                Gid first_gid,
                                                                const ModelContext& context)
    : gid_(gids.begin(), gids.end()),
      dc_(config.dc),
      ports_(context.ports_or_delta(), gids.size(), context.dt),
      dt_(context.dt),
      seed_(context.seed),
      v_bound_(context.v_bound) {
  const std::size_t n = gid_.size();
  for (auto* v : {&c_m_, &g_na_, &g_k_, &g_l_, &e_na_, &e_k_, &e_l_, &i_e_, &v_t_, &v_th_, &phi_,
                  &noise_step_, &v_m_, &m_, &h_, &n_})
    v->resize(n);
  const NeuronParams value{config, seed_};
  const bool has_v_t = config.params.count("V_T") != 0;
  for (std::size_t i = 0; i < n; ++i) {
    const auto local = static_cast<std::uint32_t>(gid_[i] - first_gid);
    c_m_[i] = value("C_m", local);
    g_na_[i] = value("g_Na", local);
    g_k_[i] = value("g_K", local);
    g_l_[i] = value("g_L", local);
    e_na_[i] = value("E_Na", local);
    e_k_[i] = value("E_K", local);
    e_l_[i] = value("E_L", local);
    i_e_[i] = value("I_e", local);
    v_t_[i] = has_v_t ? value("V_T", local) : 0.0;
    v_th_[i] = value("V_th", local);
    phi_[i] = std::pow(value("q10", local), (context.temperature - value("T_rate", local)) / 10.0);
    // Piecewise-constant current whose 1-ms average has SD noise_sigma: SD sigma sqrt(1 ms / dt).
    noise_step_[i] = value("noise_sigma", local) * std::sqrt(1.0 / dt_);
    any_noise_ = any_noise_ || noise_step_[i] > 0.0;
    v_m_[i] = value("V_m", local);
  }
  for (const PortSpec& p : ports_.specs()) any_delta_ = any_delta_ || p.kind == SynapseKind::delta;
  // Gates at steady state for V(0), with the kernel's rates; the first half step keeps them
  // there (V is frozen).
  std::vector<GateRates> r(n);
  hh_kernel::rates(Rates::set, v_m_, v_t_, r);
  for (std::size_t i = 0; i < n; ++i) {
    m_[i] = r[i].alpha_m / (r[i].alpha_m + r[i].beta_m);
    h_[i] = r[i].alpha_h / (r[i].alpha_h + r[i].beta_h);
    n_[i] = r[i].alpha_n / (r[i].alpha_n + r[i].beta_n);
  }
}

template <typename Rates>
void ConductanceNeuronPopulation<Rates>::update(std::size_t begin, std::size_t end, Step step,
                                                std::span<const double> input,
                                                std::vector<Spike>& spikes, Health& health) {
  // Blocks of neurons: the synaptic drive is gathered per neuron (SynapsePorts' interface),
  // then the kernel advances the block in SIMD lanes. The block length does not change a bit.
  constexpr std::size_t block_size = 64;
  std::array<double, block_size> g_syn, i_ext, v_jump, offset;
  bool bad = false;
  const double dc = dc_.empty() ? 0.0 : dc_current(dc_, step);
  for (std::size_t b = begin; b < end; b += block_size) {
    const std::size_t count = std::min(block_size, end - b);
    for (std::size_t j = 0; j < count; ++j) {
      const std::size_t i = b + j;
      double current = i_e_[i] + dc;
      if (any_noise_) current += noise_step_[i] * noise_kernel::step_normal(seed_, gid_[i], step);
      const SynapticDrive d = ports_.mean_drive(i);
      g_syn[j] = d.conductance;
      i_ext[j] = d.g_e_rev + d.current + current;
      v_jump[j] = any_delta_ ? ports_.delta_input(i, input) : 0.0;
    }
    const hh_kernel::Block block{.count = count,
                                 .c_m = &c_m_[b],
                                 .g_na = &g_na_[b],
                                 .g_k = &g_k_[b],
                                 .g_l = &g_l_[b],
                                 .e_na = &e_na_[b],
                                 .e_k = &e_k_[b],
                                 .e_l = &e_l_[b],
                                 .v_t = &v_t_[b],
                                 .v_th = &v_th_[b],
                                 .phi = &phi_[b],
                                 .g_syn = g_syn.data(),
                                 .i_ext = i_ext.data(),
                                 .v_jump = v_jump.data(),
                                 .v_m = &v_m_[b],
                                 .m = &m_[b],
                                 .h = &h_[b],
                                 .n = &n_[b],
                                 .spike_offset = offset.data()};
    const hh_kernel::BlockResult r = hh_kernel::advance(Rates::set, block, dt_, v_bound_);
    bad = bad || r.bad;
    if (r.spikes != 0) [[unlikely]] {
      for (std::size_t j = 0; j < count; ++j)
        if (offset[j] >= 0.0) spikes.push_back({step, gid_[b + j], static_cast<float>(offset[j])});
    }
    if (ports_.any_state())
      for (std::size_t j = 0; j < count; ++j) ports_.advance(b + j, input);
  }
  if (bad) [[unlikely]] {
    for (std::size_t i = begin; i < end; ++i) {
      if (!(std::abs(v_m_[i]) <= v_bound_)) {
        health.report(step, gid_[i], 0, v_m_[i]);
        break;
      }
      const std::array<double, 3> gates{m_[i], h_[i], n_[i]};
      for (std::uint32_t k = 0; k < 3; ++k) {
        if (!std::isfinite(gates[k])) {
          health.report(step, gid_[i], k + 1, gates[k]);
          break;
        }
      }
      if (health.failed) break;
    }
  }
}

template <typename Rates>
RecordableView ConductanceNeuronPopulation<Rates>::recordable(std::size_t variable) const {
  switch (variable) {
    case 0:
      return RecordableView::of(v_m_);
    case 1:
      return RecordableView::of(m_);
    case 2:
      return RecordableView::of(h_);
    case 3:
      return RecordableView::of(n_);
    default:
      return {ports_.total_terms(variable == 5), false};
  }
}

template <typename Rates>
std::vector<StateArray> ConductanceNeuronPopulation<Rates>::state() {
  std::vector<StateArray> out{real_state("V_m", v_m_), real_state("m", m_), real_state("h", h_),
                              real_state("n", n_)};
  ports_.add_state(out);
  return out;
}

namespace {
// Reversal potentials that may come from the Nernst equation.
constexpr std::array<std::string_view, 2> nernst = {"E_Na", "E_K"};
}  // namespace

template <>
const ModelInfo& ConductanceNeuronPopulation<SquidAxonRates>::info() {
  static const ModelInfo model{.name = "hh",
                               .parameters = hh_parameters(),
                               .recordables = hh_recordables(),
                               .nernst_parameters = nernst};
  return model;
}

template <>
const ModelInfo& ConductanceNeuronPopulation<TraubMilesRates>::info() {
  static const ModelInfo model{.name = "traub_miles",
                               .parameters = traub_miles_parameters(),
                               .recordables = hh_recordables(),
                               .nernst_parameters = nernst};
  return model;
}

template class ConductanceNeuronPopulation<SquidAxonRates>;
template class ConductanceNeuronPopulation<TraubMilesRates>;

}  // namespace myelin
