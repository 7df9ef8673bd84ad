#include "model/izhikevich.hpp"

#include <array>
#include <cmath>
#include <limits>

#include "model/dc_input.hpp"
#include "model/neuron_params.hpp"
#include "model/noise_kernel.hpp"

namespace myelin {

namespace {

constexpr double inf = std::numeric_limits<double>::infinity();
constexpr double nan = std::numeric_limits<double>::quiet_NaN();

// Defaults: the regular-spiking cell (preset RS), as NEST's izhikevich.
constexpr std::array<ParameterInfo, 9> parameters = {{
    {"a", "1/ms", 0.02, -inf, inf, false, "recovery rate"},
    {"b", "", 0.2, -inf, inf, false, "sensitivity of U to V"},
    {"c", "mV", -65.0, -inf, inf, false, "reset of V"},
    {"d", "mV/ms", 8.0, -inf, inf, false, "increment of U at a spike"},
    {"I_e", "mV/ms", 0.0, -inf, inf, false, "constant input (the model's current units)"},
    {"V_th", "mV", 30.0, -inf, inf, false, "spike cut-off: V >= V_th"},
    {"noise_sigma", "mV/ms", 0.0, 0.0, inf, false,
     "white-noise input: SD of its average over 1 ms"},
    {"V_m", "mV", -65.0, -inf, inf, false, "initial V"},
    {"U_m", "mV/ms", nan, -inf, inf, false, "initial U (default b V_m)"},
}};

constexpr std::array<std::string_view, 4> recordables = {"V_m", "U_m", "I_syn", "g_syn"};

}  // namespace

std::span<const ParameterInfo> izhikevich_parameters() {
  return parameters;
}
std::span<const std::string_view> izhikevich_recordables() {
  return recordables;
}

std::optional<std::map<std::string, double>> izhikevich_preset(std::string_view name) {
  struct Preset {
    std::string_view name;
    double a, b, c, d;
  };
  // Izhikevich (2003) Fig. 2 and (2004): regular spiking, intrinsically bursting, chattering,
  // fast spiking, low-threshold spiking, resonator, thalamo-cortical.
  constexpr std::array<Preset, 7> presets = {{{"RS", 0.02, 0.2, -65.0, 8.0},
                                              {"IB", 0.02, 0.2, -55.0, 4.0},
                                              {"CH", 0.02, 0.2, -50.0, 2.0},
                                              {"FS", 0.1, 0.2, -65.0, 2.0},
                                              {"LTS", 0.02, 0.25, -65.0, 2.0},
                                              {"RZ", 0.1, 0.26, -65.0, 2.0},
                                              {"TC", 0.02, 0.25, -65.0, 0.05}}};
  for (const Preset& p : presets)
    if (p.name == name)
      return std::map<std::string, double>{{"a", p.a}, {"b", p.b}, {"c", p.c}, {"d", p.d}};
  return std::nullopt;
}

namespace {
constexpr std::array<std::string_view, 2> izh_schemes = {"izh2003", "euler"};
constexpr std::array<std::string_view, 7> izh_presets = {"RS", "IB", "CH", "FS", "LTS", "RZ", "TC"};
constexpr std::array<ModelOption, 2> izh_options = {{
    {"scheme", "izh2003", izh_schemes, "integration scheme"},
    {"preset", "", izh_presets, "named cell type: sets the defaults of a, b, c, d"},
}};
}  // namespace

const ModelInfo& IzhikevichPopulation::info() {
  static const ModelInfo model{.name = "izhikevich",
                               .parameters = izhikevich_parameters(),
                               .recordables = izhikevich_recordables(),
                               .options = izh_options,
                               .preset = &izhikevich_preset};
  return model;
}

IzhikevichPopulation::IzhikevichPopulation(const PopulationSpec& config, std::span<const Gid> gids,
                                           Gid first_gid, const ModelContext& context)
    : gid_(gids.begin(), gids.end()),
      dc_(config.dc),
      ports_(context.ports_or_delta(), gids.size(), context.dt),
      dt_(context.dt),
      seed_(context.seed),
      v_bound_(context.v_bound) {
  const auto scheme = config.options.find("scheme");
  euler_ = scheme != config.options.end() && scheme->second == "euler";
  const std::size_t n = gid_.size();
  for (auto* v : {&a_, &b_, &c_, &d_, &i_e_, &v_th_, &noise_step_, &v_m_, &u_m_}) v->resize(n);
  const NeuronParams value{config, seed_};
  for (std::size_t i = 0; i < n; ++i) {
    const auto local = static_cast<std::uint32_t>(gid_[i] - first_gid);
    a_[i] = value("a", local);
    b_[i] = value("b", local);
    c_[i] = value("c", local);
    d_[i] = value("d", local);
    i_e_[i] = value("I_e", local);
    v_th_[i] = value("V_th", local);
    noise_step_[i] = value("noise_sigma", local) * std::sqrt(1.0 / dt_);
    any_noise_ = any_noise_ || noise_step_[i] > 0.0;
    v_m_[i] = value("V_m", local);
    const double u0 = value("U_m", local);
    u_m_[i] = std::isnan(u0) ? b_[i] * v_m_[i] : u0;
  }
}

void IzhikevichPopulation::update(std::size_t begin, std::size_t end, Step step,
                                  std::span<const double> input, std::vector<Spike>& spikes,
                                  Health& health) {
  const double half = 0.5 * dt_;
  bool bad = false;
  const double dc = dc_.empty() ? 0.0 : dc_current(dc_, step);
  for (std::size_t i = begin; i < end; ++i) {
    double current = i_e_[i] + dc;
    if (any_noise_) current += noise_step_[i] * noise_kernel::step_normal(seed_, gid_[i], step);
    double v = v_m_[i];
    double u = u_m_[i];
    const SynapticDrive d = ports_.mean_drive(i);
    // Conductance inputs use V at the start of the step (the scheme is explicit anyway).
    current += d.current + d.g_e_rev - d.conductance * v;
    if (euler_) {
      const double dv = 0.04 * v * v + 5.0 * v + 140.0 - u + current;
      const double du = a_[i] * (b_[i] * v - u);
      v += dt_ * dv;
      u += dt_ * du;
    } else {
      v += half * (0.04 * v * v + 5.0 * v + 140.0 - u + current);
      v += half * (0.04 * v * v + 5.0 * v + 140.0 - u + current);
      u += dt_ * a_[i] * (b_[i] * v - u);
    }
    v += ports_.delta_input(i, input);
    if (v >= v_th_[i] && std::isfinite(v)) {
      spikes.push_back({step, gid_[i]});
      v = c_[i];
      u += d_[i];
    }
    v_m_[i] = v;
    u_m_[i] = u;
    bad |= !(std::abs(v) <= v_bound_) || !std::isfinite(u);
    if (ports_.any_state()) ports_.advance(i, input);
  }
  if (bad) [[unlikely]] {
    for (std::size_t i = begin; i < end; ++i) {
      if (!(std::abs(v_m_[i]) <= v_bound_)) {
        health.report(step, gid_[i], 0, v_m_[i]);
        break;
      }
      if (!std::isfinite(u_m_[i])) {
        health.report(step, gid_[i], 1, u_m_[i]);
        break;
      }
    }
  }
}

RecordableView IzhikevichPopulation::recordable(std::size_t variable) const {
  if (variable == 0) return RecordableView::of(v_m_);
  if (variable == 1) return RecordableView::of(u_m_);
  return {ports_.total_terms(variable == 3), false};
}

std::vector<StateArray> IzhikevichPopulation::state() {
  std::vector<StateArray> out{real_state("V_m", v_m_), real_state("U_m", u_m_)};
  ports_.add_state(out);
  return out;
}

}  // namespace myelin
