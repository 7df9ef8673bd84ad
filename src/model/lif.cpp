#include "model/lif.hpp"

#include <array>
#include <cmath>
#include <limits>
#include <string>

#include "config/param_draw.hpp"
#include "core/random.hpp"
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

constexpr std::array<std::string_view, 1> recordables = {"V_m"};

struct Drawn {
  const PopulationConfig& pop;
  std::uint64_t seed;
  std::uint32_t pop_hash;
  double operator()(std::string_view name, std::uint32_t i) const {
    return draw_neuron_param(pop.params.at(std::string(name)), seed, pop_hash, i,
                             rng::name_hash(name));
  }
};

}  // namespace

std::span<const ParameterInfo> lif_parameters() {
  return parameters;
}
std::span<const std::string_view> lif_recordables() {
  return recordables;
}

void check_lif_constraints(const PopulationConfig& pop, std::uint64_t seed) {
  const Drawn value{pop, seed, rng::name_hash(pop.name)};
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

LifPopulation::LifPopulation(const PopulationConfig& config, std::span<const Gid> gids,
                             Gid first_gid, double dt, std::uint64_t seed, double v_bound)
    : gid_(gids.begin(), gids.end()), dt_(dt), seed_(seed), v_bound_(v_bound) {
  const std::size_t n = gid_.size();
  tau_m_.resize(n);
  decay_.resize(n);
  v_inf_.resize(n);
  v_th_.resize(n);
  v_reset_.resize(n);
  t_ref_steps_.resize(n);
  noise_sigma_.resize(n);
  noise_step_.resize(n);
  v_m_.resize(n);
  refractory_.assign(n, 0.0);
  spare_noise_.assign(n, 0.0);
  const Drawn value{config, seed, rng::name_hash(config.name)};
  for (std::size_t i = 0; i < n; ++i) {
    const auto local = static_cast<std::uint32_t>(gid_[i] - first_gid);
    const double tau_m = value("tau_m", local);
    const double e_l = value("E_L", local);
    tau_m_[i] = tau_m;
    decay_[i] = std::exp(-dt / tau_m);
    // tau_m * I_e / C_m rounds to the exact R*I for round inputs (R I = 15 mV at 1.5 nA, 10 MOhm),
    // so a drive exactly at threshold never fires, as the closed form says.
    v_inf_[i] = e_l + tau_m * value("I_e", local) / value("C_m", local);
    v_th_[i] = value("V_th", local);
    v_reset_[i] = value("V_reset", local);
    t_ref_steps_[i] = value("t_ref", local) / dt;
    noise_sigma_[i] = value("noise_sigma", local);
    noise_step_[i] = noise_sigma_[i] * std::sqrt(-std::expm1(-2.0 * dt / tau_m));
    any_noise_ = any_noise_ || noise_sigma_[i] > 0.0;
    const double v0 = value("V_m", local);
    v_m_[i] = std::isnan(v0) ? e_l : v0;
  }
}

void LifPopulation::update(std::size_t begin, std::size_t end, Step step,
                           std::span<const double> input, std::vector<Spike>& spikes,
                           Health& health) {
  // One Philox block and one Box-Muller transform give the normals of two consecutive steps
  // (2m, 2m+1): the second waits in spare_noise_. Runs always start at step 0, an even step.
  const bool fresh_pair = (step & 1) == 0;
  const auto pair = static_cast<std::uint64_t>(step) >> 1;
  const auto pair_lo = static_cast<std::uint32_t>(pair);
  const auto pair_hi = static_cast<std::uint32_t>(pair >> 32);
  bool bad = false;
  for (std::size_t i = begin; i < end; ++i) {
    double xi = 0.0;
    if (any_noise_) {
      if (fresh_pair) {
        const auto normals =
            rng::normal_pair(rng::philox(seed_, rng::Stream::noise, gid_[i], pair_lo, pair_hi));
        xi = normals[0];
        spare_noise_[i] = normals[1];
      } else {
        xi = spare_noise_[i];
      }
    }
    const double v_inf = v_inf_[i];
    double v = v_inf + (v_m_[i] - v_inf) * decay_[i] + noise_step_[i] * xi + input[i];
    const double r = refractory_[i];
    if (r > 0.0) [[unlikely]] {
      if (r >= 1.0) {
        // Clamped for the whole step; inputs arriving while refractory are lost (as in NEST).
        v = v_reset_[i];
        refractory_[i] = r - 1.0;
      } else {
        // The refractory period ends inside this step: integrate the remaining fraction.
        const double h = (1.0 - r) * dt_;
        const double e = std::exp(-h / tau_m_[i]);
        v = v_inf + (v_reset_[i] - v_inf) * e +
            noise_sigma_[i] * std::sqrt(-std::expm1(-2.0 * h / tau_m_[i])) * xi + input[i];
        refractory_[i] = 0.0;
      }
    }
    if (v > v_th_[i]) [[unlikely]] {
      // Time into the step at which the deterministic trajectory from the old V reaches V_th;
      // a crossing caused by an input jump or by noise is placed at the end of the step.
      double crossing = 1.0;
      const double v_old = v_m_[i];
      if (r <= 0.0 && v_inf > v_th_[i] && v_old < v_th_[i]) {
        crossing = std::min(1.0, tau_m_[i] * std::log((v_inf - v_old) / (v_inf - v_th_[i])) / dt_);
      }
      spikes.push_back({step, gid_[i]});
      v = v_reset_[i];
      refractory_[i] = std::max(0.0, t_ref_steps_[i] - (1.0 - crossing));
    }
    v_m_[i] = v;
    bad |= !(std::abs(v) <= v_bound_);
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

double LifPopulation::value(std::size_t variable, std::size_t i) const {
  return variable == 0 ? v_m_[i] : std::numeric_limits<double>::quiet_NaN();
}

}  // namespace myelin
