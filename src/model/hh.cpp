#include "model/hh.hpp"

#include <array>
#include <cmath>
#include <limits>

#include "core/random.hpp"
#include "model/dc_input.hpp"
#include "model/neuron_params.hpp"

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

// x relaxes towards alpha / (alpha + beta) at rate phi (alpha + beta), exactly for frozen V.
inline double gate_step(double x, double alpha, double beta, double phi_h) {
  const double s = alpha + beta;
  const double x_inf = alpha / s;
  return x_inf + (x - x_inf) * std::exp(-phi_h * s);
}

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
    const double v = value("V_m", local);
    v_m_[i] = v;
    // Gates at steady state for V(0); the first half step keeps them there (V is frozen).
    const GateRates r = Rates::rates(v, v_t_[i]);
    m_[i] = r.alpha_m / (r.alpha_m + r.beta_m);
    h_[i] = r.alpha_h / (r.alpha_h + r.beta_h);
    n_[i] = r.alpha_n / (r.alpha_n + r.beta_n);
  }
}

template <typename Rates>
void ConductanceNeuronPopulation<Rates>::update(std::size_t begin, std::size_t end, Step step,
                                                std::span<const double> input,
                                                std::vector<Spike>& spikes, Health& health) {
  bool bad = false;
  const double dc = dc_.empty() ? 0.0 : dc_current(dc_, step);
  for (std::size_t i = begin; i < end; ++i) {
    double current = i_e_[i] + dc;
    if (any_noise_) current += noise_step_[i] * rng::step_normal(seed_, gid_[i], step);
    const SynapticDrive d = ports_.mean_drive(i);
    const double m = m_[i], h = h_[i], n = n_[i];
    const double g_na = g_na_[i] * m * m * m * h;
    const double n2 = n * n;
    const double g_k = g_k_[i] * n2 * n2;
    const double g = g_na + g_k + g_l_[i] + d.conductance;
    const double drive =
        g_na * e_na_[i] + g_k * e_k_[i] + g_l_[i] * e_l_[i] + d.g_e_rev + d.current + current;
    // Crank-Nicolson for C dV/dt = drive - g V: linear in V with the gates at the half step.
    const double z = 0.5 * dt_ * g / c_m_[i];
    const double v_old = v_m_[i];
    double v = (v_old * (1.0 - z) + dt_ * drive / c_m_[i]) / (1.0 + z);
    v += ports_.delta_input(i, input);
    if (v_old < v_th_[i] && v >= v_th_[i]) [[unlikely]] {
      const double offset = (v_th_[i] - v_old) / (v - v_old);
      spikes.push_back({step, gid_[i], static_cast<float>(offset)});
    }
    // Gates: a whole step at the new V, from the half step before it to the half step after.
    const GateRates r = Rates::rates(v, v_t_[i]);
    const double phi_h = phi_[i] * dt_;
    m_[i] = gate_step(m, r.alpha_m, r.beta_m, phi_h);
    h_[i] = gate_step(h, r.alpha_h, r.beta_h, phi_h);
    n_[i] = gate_step(n, r.alpha_n, r.beta_n, phi_h);
    v_m_[i] = v;
    bad |= !(std::abs(v) <= v_bound_) || !std::isfinite(m_[i] + h_[i] + n_[i]);
    if (ports_.any_state()) ports_.advance(i, input);
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
double ConductanceNeuronPopulation<Rates>::value(std::size_t variable, std::size_t i) const {
  switch (variable) {
    case 0:
      return v_m_[i];
    case 1:
      return m_[i];
    case 2:
      return h_[i];
    case 3:
      return n_[i];
    default:
      return ports_.total(variable == 5, i);
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
