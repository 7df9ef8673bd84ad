#include "config/plasticity_parser.hpp"

#include <cmath>
#include <limits>
#include <string>
#include <vector>

namespace myelin {

namespace {

constexpr double inf = std::numeric_limits<double>::infinity();

}  // namespace

StdpParams read_plasticity(TableReader r, const ProjectionConfig& projection, double dt) {
  StdpParams s;
  if (auto v = r.string("rule")) {
    if (*v == "additive")
      s.rule = StdpRule::additive;
    else if (*v == "multiplicative")
      s.rule = StdpRule::multiplicative;
    else if (*v == "power_law")
      s.rule = StdpRule::power_law;
    else
      throw input_error(r.key("rule"), "\"" + *v + "\"",
                        "unknown weight dependence (known: additive, multiplicative, power_law)");
  }
  if (auto v = r.string("pairing")) {
    if (*v == "all_to_all")
      s.pairing = StdpPairing::all_to_all;
    else if (*v == "nearest")
      s.pairing = StdpPairing::nearest;
    else
      throw input_error(r.key("pairing"), "\"" + *v + "\"",
                        "unknown pairing (known: all_to_all, nearest)");
  }
  const bool power = s.rule == StdpRule::power_law;
  const std::string rule_name = power ? "power_law" : r.string("rule").value_or("additive");
  const std::vector<std::string> unused = power ? std::vector<std::string>{"A_plus", "A_minus"}
                                                : std::vector<std::string>{"lambda", "alpha", "mu"};
  for (const std::string& k : unused)
    if (r.has(k))
      throw input_error(r.key(k), describe(*r.node(k)), "not used by rule \"" + rule_name + "\"");
  if (power) {
    // NEST stdp_pl_synapse_hom: dw+ = lambda w^mu K+, dw- = -lambda alpha w K-.
    s.lambda = required(r.number("lambda"), r, "lambda");
    s.alpha = required(r.number("alpha"), r, "alpha");
    s.mu = required(r.number("mu"), r, "mu");
    require_range(r.key("lambda"), s.lambda, 0.0, false, inf, "");
    require_range(r.key("alpha"), s.alpha, 0.0, false, inf, "");
    require_range(r.key("mu"), s.mu, 0.0, false, 1.0, "");
  } else {
    if (auto v = r.number("A_plus")) s.A_plus = *v;
    if (auto v = r.number("A_minus")) s.A_minus = *v;
    require_range(r.key("A_plus"), s.A_plus, 0.0, false, inf, "");
    require_range(r.key("A_minus"), s.A_minus, 0.0, false, inf, "");
  }
  if (auto v = r.number("tau_plus")) s.tau_plus = *v;
  if (auto v = r.number("tau_minus")) s.tau_minus = *v;
  require_range(r.key("tau_plus"), s.tau_plus, 0.0, true, inf, "ms");
  require_range(r.key("tau_minus"), s.tau_minus, 0.0, true, inf, "ms");
  s.w_max = required(r.number("w_max"), r, "w_max");
  if (auto v = r.number("w_min")) s.w_min = *v;
  require_range(r.key("w_max"), s.w_max, s.w_min, true, inf, "(must exceed w_min)");
  const bool conductance =
      projection.synapse == "exp_conductance" || projection.synapse == "alpha_conductance";
  if (conductance && s.w_min < 0.0)
    throw input_error(r.key("w_min"), std::to_string(s.w_min), "a conductance must be >= 0 [nS]");
  if (power && s.w_min < 0.0)
    throw input_error(r.key("w_min"), std::to_string(s.w_min),
                      "power_law weights are >= 0 (w^mu); the depression floor is w_min");
  // Initial weights inside the bounds: a weight outside would be clipped at its first update.
  const ParamValue& w = projection.weight;
  const std::string weight_key = "projection." + projection.name + ".weight";
  if (w.kind == ParamValue::Kind::normal && !(w.lower() >= s.w_min && w.upper() <= s.w_max))
    throw input_error(weight_key, "normal",
                      "plastic weights need a constant, a uniform or a normal bounded by "
                      "min, max inside [w_min, w_max]");
  const double low = w.lower(), high = w.upper();
  if (low < s.w_min || high > s.w_max)
    throw input_error(weight_key,
                      std::to_string(low) + (high != low ? ".." + std::to_string(high) : ""),
                      "initial weights must lie in [w_min, w_max] = [" + std::to_string(s.w_min) +
                          ", " + std::to_string(s.w_max) + "]");
  if (auto v = r.number("dendritic_delay")) s.dendritic_delay = *v;
  const double steps = s.dendritic_delay / dt;
  if (s.dendritic_delay < 0.0 || std::abs(steps - std::round(steps)) > 1e-9)
    throw input_error(r.key("dendritic_delay"), std::to_string(s.dendritic_delay),
                      "must be >= 0 and a whole multiple of dt [ms]");
  if (s.dendritic_delay > projection.delay.a + 1e-12)
    throw input_error(r.key("dendritic_delay"), std::to_string(s.dendritic_delay),
                      "must not exceed the smallest synaptic delay " +
                          std::to_string(projection.delay.a) + " [ms]");
  r.finish();
  return s;
}

WeightOutputConfig read_weight_output(const std::string& projection, TableReader r,
                                      const Config& config) {
  const ProjectionConfig* found = nullptr;
  for (const auto& p : config.projections)
    if (p.name == projection) found = &p;
  if (found == nullptr || !found->plasticity)
    throw input_error("output.weights." + projection, "(section)",
                      found ? "projection has no plasticity" : "no such projection");
  WeightOutputConfig out;
  out.projection = projection;
  const double dt = config.simulation.dt;
  auto interval = [&](const char* key, double& value) {
    if (auto v = r.number(key)) value = *v;
    require_range(r.key(key), value, 0.0, false, inf, "ms");
    const double steps = value / dt;
    if (std::abs(steps - std::round(steps)) > 1e-9)
      throw input_error(r.key(key), std::to_string(value), "must be a whole multiple of dt [ms]");
  };
  interval("snapshot_interval", out.snapshot_interval);
  interval("stats_interval", out.stats_interval);
  if (out.stats_interval == 0.0)
    throw input_error(r.key("stats_interval"), "0", "must be > 0 [ms]");
  if (auto v = r.boolean("snapshots")) out.snapshots = *v;
  if (auto v = r.integer("bins")) {
    if (*v < 1 || *v > 100000)
      throw input_error(r.key("bins"), std::to_string(*v), "must be in [1, 100000]");
    out.bins = static_cast<int>(*v);
  }
  r.finish();
  return out;
}

std::vector<WeightOutputConfig> complete_weight_outputs(const Config& config,
                                                        std::vector<WeightOutputConfig> given) {
  std::vector<WeightOutputConfig> out;
  for (const auto& p : config.projections) {
    if (!p.plasticity) continue;
    WeightOutputConfig w;
    w.projection = p.name;
    for (const auto& g : given)
      if (g.projection == p.name) w = g;
    out.push_back(w);
  }
  return out;
}

}  // namespace myelin
