#include "config/population_parser.hpp"

#include <toml++/toml.h>

#include <cmath>
#include <limits>
#include <sstream>

#include "core/param_draw.hpp"
#include "model/parameter_info.hpp"
#include "myelin/errors.hpp"

namespace myelin {

// E = (R T / z F) ln(c_out / c_in) [mV] from { nernst = { z, c_in, c_out } } (mM, the run's
// temperature).
namespace {

constexpr double inf = std::numeric_limits<double>::infinity();

std::string shortest(double v) {
  std::ostringstream s;
  s << v;
  return s.str();
}

std::optional<double> nernst_potential(TableReader& r, const std::string& name,
                                       double temperature) {
  const toml::node* n = r.node(name);
  const toml::table* t = n ? n->as_table() : nullptr;
  if (!t || !t->contains("nernst")) return std::nullopt;
  const toml::table* spec = (*t)["nernst"].as_table();
  if (t->size() != 1 || !spec)
    throw input_error(r.key(name), describe(*n),
                      "must be a number or { nernst = { z = ..., c_in = ..., c_out = ... } }");
  TableReader nr(*spec, r.key(name) + ".nernst");
  const double z = required(nr.number("z"), nr, "z");
  const double c_in = required(nr.number("c_in"), nr, "c_in");
  const double c_out = required(nr.number("c_out"), nr, "c_out");
  if (z == 0.0 || std::round(z) != z)
    throw input_error(nr.key("z"), describe(*nr.node("z")), "must be a non-zero integer valence");
  require_range(nr.key("c_in"), c_in, 0.0, true, inf, "mM");
  require_range(nr.key("c_out"), c_out, 0.0, true, inf, "mM");
  nr.finish();
  constexpr double gas = 8.314462618, faraday = 96485.33212;  // J/(mol K), C/mol
  const double e = 1000.0 * gas * (temperature + 273.15) / (z * faraday) * std::log(c_out / c_in);
  if (!std::isfinite(e))
    throw input_error(r.key(name), describe(*n),
                      "the Nernst potential is not finite (" + shortest(e) +
                          " mV at simulation.temperature = " + shortest(temperature) + " degC)");
  return e;
}

// spike_times = [t, ...] (every neuron) or [[t, ...], ...] (one list per neuron), in ms: each a
// whole multiple of dt, >= dt, strictly ascending.
PopulationConfig read_spike_source(PopulationConfig pop, TableReader& r,
                                   const SimulationConfig& sim) {
  const auto size = required(r.integer("size"), r, "size");
  if (size < 1 || size > (std::int64_t{1} << 31))
    throw input_error(r.key("size"), std::to_string(size), "must be in [1, 2^31]");
  pop.size = static_cast<std::uint32_t>(size);
  const toml::node* node = r.node("spike_times");
  if (node == nullptr) throw input_error(r.key("spike_times"), "(missing)", "required");
  const toml::array* all = node->as_array();
  if (all == nullptr)
    throw input_error(r.key("spike_times"), describe(*node),
                      "expected [t, ...] or one list per neuron [[t, ...], ...] [ms]");
  const bool per_neuron = !all->empty() && all->front().is_array();
  auto read_list = [&](const toml::array& list, const std::string& key) {
    std::vector<Step> steps;
    for (const auto& item : list) {
      const auto t = item.value<double>();
      if (!t || !item.is_number())
        throw input_error(key, describe(item), "expected a spike time [ms]");
      const double k = *t / sim.dt;
      if (!std::isfinite(k) || k < 1.0 - 1e-9 || std::abs(k - std::round(k)) > 1e-6)
        throw input_error(key, describe(item), "must be >= dt and a whole multiple of dt [ms]");
      const Step step = std::llround(k) - 1;
      if (!steps.empty() && step <= steps.back())
        throw input_error(key, describe(item), "spike times must be strictly ascending");
      steps.push_back(step);
    }
    return steps;
  };
  if (per_neuron) {
    if (all->size() != pop.size)
      throw input_error(r.key("spike_times"), std::to_string(all->size()) + " lists",
                        "one list per neuron: expected " + std::to_string(pop.size));
    for (std::size_t i = 0; i < all->size(); ++i) {
      const toml::array* list = (*all)[i].as_array();
      const std::string key = r.key("spike_times") + "[" + std::to_string(i) + "]";
      if (list == nullptr) throw input_error(key, describe((*all)[i]), "expected a list [ms]");
      pop.spike_steps.push_back(read_list(*list, key));
    }
  } else {
    pop.spike_steps.push_back(read_list(*all, r.key("spike_times")));
  }
  r.finish();
  return pop;
}

}  // namespace

PopulationConfig read_population(const std::string& name, TableReader r,
                                 const SimulationConfig& sim) {
  const std::uint64_t seed = sim.seed;
  if (!valid_name(name))
    throw input_error(r.key(""), name, "population names are [A-Za-z_][A-Za-z0-9_]*");
  PopulationConfig pop;
  pop.name = name;
  pop.model = required(r.string("model"), r, "model");
  const ModelInfo* model = find_model(pop.model);
  if (model == nullptr) {
    std::string known;
    for (const auto m : known_models()) known += (known.empty() ? "" : ", ") + std::string(m);
    throw input_error(r.key("model"), "\"" + pop.model + "\"",
                      "unknown model (known: " + known + ")");
  }
  if (model->emits_given_spikes) return read_spike_source(std::move(pop), r, sim);
  const auto infos = model->parameters;
  const auto size = required(r.integer("size"), r, "size");
  if (size < 1 || size > (std::int64_t{1} << 31))
    throw input_error(r.key("size"), std::to_string(size), "must be in [1, 2^31]");
  pop.size = static_cast<std::uint32_t>(size);
  for (const ModelOption& opt : options_of(pop.model)) {
    const std::string oname(opt.name);
    const std::string v = r.string(oname).value_or(std::string(opt.default_value));
    if (v.empty()) continue;
    bool known = false;
    std::string allowed;
    for (const auto a : opt.allowed) {
      known = known || a == v;
      allowed += (allowed.empty() ? "" : ", ") + std::string(a);
    }
    if (!known)
      throw input_error(r.key(oname), "\"" + v + "\"",
                        "unknown " + oname + " (known: " + allowed + ")");
    pop.options[oname] = v;
  }
  const auto preset = pop.options.count("preset") ? pop.options.at("preset") : std::string();
  const auto preset_values = preset_defaults(pop.model, preset);
  for (const ParameterInfo& info : infos) {
    const std::string pname(info.name);
    double fallback = info.default_value;
    if (const auto it = preset_values.find(pname); it != preset_values.end()) fallback = it->second;
    std::optional<ParamValue> given;
    if (accepts_nernst(pop.model, pname)) {
      if (auto e = nernst_potential(r, pname, sim.temperature)) given = ParamValue::constant(*e);
    }
    if (!given) given = r.param(pname);
    const ParamValue value = given.value_or(ParamValue::constant(fallback));
    pop.params[pname] = value;
    if (value.is_constant()) {
      if (!std::isnan(value.a))
        require_range(r.key(pname), value.a, info.min, info.min_exclusive, info.max,
                      std::string(info.unit));
      continue;
    }
    // Every neuron's draw must be valid too; checked here, identically on every rank. A uniform
    // draw lies between its bounds, so checking them is enough (and costs nothing for 2^31
    // neurons); a normal one is checked neuron by neuron.
    if (value.kind == ParamValue::Kind::uniform) {
      for (const double bound : {value.a, value.b}) {
        try {
          require_range(r.key(pname), bound, info.min, info.min_exclusive, info.max,
                        std::string(info.unit));
        } catch (const InputError& e) {
          throw InputError(std::string(e.what()) + " (a bound of the uniform distribution)");
        }
      }
      continue;
    }
    for (std::uint32_t i = 0; i < pop.size; ++i) {
      const double v =
          draw_neuron_param(value, seed, rng::name_hash(name), i, rng::name_hash(pname));
      try {
        require_range(r.key(pname), v, info.min, info.min_exclusive, info.max,
                      std::string(info.unit));
      } catch (const InputError& e) {
        throw InputError(std::string(e.what()) + " (neuron " + std::to_string(i) +
                         " of the distribution)");
      }
    }
  }
  r.finish();
  check_model_constraints(pop, seed);
  // An initial V_m beyond the bound would be a blow-up at the first step (or, above threshold,
  // a spike and reset): both are a bad input, refused here whatever the sign.
  if (const auto it = pop.params.find("V_m"); it != pop.params.end()) {
    const ParamValue& v = it->second;
    const double largest = v.kind == ParamValue::Kind::uniform
                               ? std::max(std::abs(v.a), std::abs(v.b))
                               : std::abs(v.a);  // constant; normal: its mean
    if (largest > sim.v_bound)
      throw input_error(r.key("V_m"),
                        r.node("V_m") ? describe(*r.node("V_m")) : std::to_string(v.a),
                        "|V_m| must be <= simulation.v_bound = " + shortest(sim.v_bound) +
                            " [mV] (beyond it the state counts as a numerical blow-up)");
  }
  return pop;
}

}  // namespace myelin
