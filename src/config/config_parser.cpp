#include "config/config_parser.hpp"

#include <toml++/toml.h>

#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>

#include "config/input_parser.hpp"
#include "config/overrides.hpp"
#include "config/plasticity_parser.hpp"
#include "config/population_parser.hpp"
#include "config/toml_reader.hpp"
#include "core/param_draw.hpp"
#include "model/parameter_info.hpp"
#include "myelin/errors.hpp"

namespace myelin {

namespace {

constexpr double inf = std::numeric_limits<double>::infinity();

SimulationConfig read_simulation(TableReader r) {
  SimulationConfig s;
  if (auto v = r.number("dt")) s.dt = *v;
  require_range(r.key("dt"), s.dt, 0.0, true, 10.0, "ms");
  if (auto v = r.number("t_stop")) s.t_stop = *v;
  require_range(r.key("t_stop"), s.t_stop, 0.0, true, inf, "ms");
  if (auto v = r.integer("seed")) {
    if (*v < 0) throw input_error(r.key("seed"), std::to_string(*v), "must be >= 0");
    s.seed = static_cast<std::uint64_t>(*v);
  }
  if (auto v = r.integer("threads")) {
    if (*v < 0 || *v > 4096)
      throw input_error(r.key("threads"), std::to_string(*v), "must be in [0, 4096]");
    s.threads = static_cast<int>(*v);
  }
  if (auto v = r.number("v_bound")) s.v_bound = *v;
  require_range(r.key("v_bound"), s.v_bound, 0.0, true, inf, "mV");
  if (auto v = r.number("temperature")) s.temperature = *v;
  require_range(r.key("temperature"), s.temperature, -273.15, true, inf, "degC");
  if (auto v = r.string("exchange")) {
    if (*v != "allgatherv" && *v != "alltoallv")
      throw input_error(r.key("exchange"), "\"" + *v + "\"",
                        "unknown exchange (known: allgatherv, alltoallv)");
    s.exchange = *v;
  }
  if (auto v = r.boolean("overlap")) s.overlap = *v;
  r.finish();
  return s;
}

ConnectionRule parse_rule(const std::string& key, const std::string& rule) {
  if (rule == "small_world") return ConnectionRule::small_world;
  if (rule == "fixed_probability") return ConnectionRule::fixed_probability;
  if (rule == "one_to_one") return ConnectionRule::one_to_one;
  if (rule == "all_to_all") return ConnectionRule::all_to_all;
  if (rule == "fixed_indegree") return ConnectionRule::fixed_indegree;
  if (rule == "fixed_outdegree") return ConnectionRule::fixed_outdegree;
  if (rule == "fixed_total_number") return ConnectionRule::fixed_total_number;
  throw input_error(key, "\"" + rule + "\"",
                    "unknown rule (known: small_world, fixed_probability, one_to_one, all_to_all, "
                    "fixed_indegree, fixed_outdegree, fixed_total_number)");
}

ProjectionConfig read_projection(const std::string& name, TableReader r, const Config& config) {
  if (!valid_name(name))
    throw input_error(r.key(""), name, "projection names are [A-Za-z_][A-Za-z0-9_]*");
  ProjectionConfig proj;
  proj.name = name;
  proj.source = required(r.string("source"), r, "source");
  proj.target = required(r.string("target"), r, "target");
  const PopulationConfig* source = config.find_population(proj.source);
  const PopulationConfig* target = config.find_population(proj.target);
  if (!source) throw input_error(r.key("source"), "\"" + proj.source + "\"", "no such population");
  if (!target) throw input_error(r.key("target"), "\"" + proj.target + "\"", "no such population");
  proj.rule = parse_rule(r.key("rule"), required(r.string("rule"), r, "rule"));
  const std::string rule_name = *r.string("rule");
  auto unused_by_rule = [&](const std::string& key_name) {
    if (r.has(key_name))
      throw input_error(r.key(key_name), describe(*r.node(key_name)),
                        "not used by rule " + rule_name);
  };
  switch (proj.rule) {
    case ConnectionRule::small_world: {
      if (proj.source != proj.target)
        throw input_error(r.key("target"), "\"" + proj.target + "\"",
                          "small_world needs target == source (one ring)");
      const auto k = required(r.integer("k"), r, "k");
      if (k < 2 || k % 2 != 0)
        throw input_error(r.key("k"), std::to_string(k), "must be even and >= 2");
      if (k >= static_cast<std::int64_t>(target->size) - 1)
        throw input_error(r.key("k"), std::to_string(k),
                          "must be < size - 1 = " + std::to_string(target->size - 1));
      proj.k = static_cast<int>(k);
      proj.p = required(r.number("p"), r, "p");
      require_range(r.key("p"), proj.p, 0.0, false, 1.0, "");
      if (auto v = r.boolean("symmetric")) proj.symmetric = *v;
      unused_by_rule("autapses");
      break;
    }
    case ConnectionRule::fixed_probability:
      proj.p = required(r.number("p"), r, "p");
      require_range(r.key("p"), proj.p, 0.0, false, 1.0, "");
      if (auto v = r.boolean("autapses")) proj.autapses = *v;
      unused_by_rule("k");
      unused_by_rule("symmetric");
      break;
    case ConnectionRule::one_to_one:
      if (source->size != target->size)
        throw input_error(r.key("rule"), "\"one_to_one\"",
                          "needs equal sizes (" + std::to_string(source->size) +
                              " != " + std::to_string(target->size) + ")");
      for (const char* k : {"k", "p", "symmetric", "autapses"}) unused_by_rule(k);
      break;
    case ConnectionRule::all_to_all:
      if (auto v = r.boolean("autapses")) proj.autapses = *v;
      for (const char* k : {"k", "p", "symmetric"}) unused_by_rule(k);
      break;
    case ConnectionRule::fixed_indegree:
    case ConnectionRule::fixed_outdegree:
    case ConnectionRule::fixed_total_number: {
      for (const char* k : {"k", "p", "symmetric"}) unused_by_rule(k);
      if (auto v = r.boolean("autapses")) proj.autapses = *v;
      if (auto v = r.boolean("multapses")) proj.multapses = *v;
      const char* key_name = proj.rule == ConnectionRule::fixed_indegree    ? "indegree"
                             : proj.rule == ConnectionRule::fixed_outdegree ? "outdegree"
                                                                            : "n";
      const auto number = required(r.integer(key_name), r, key_name);
      if (number < 0) throw input_error(r.key(key_name), std::to_string(number), "must be >= 0");
      proj.number = static_cast<std::uint64_t>(number);
      // Without multapses each source (indegree), target (outdegree) or pair (total) is used
      // once, so the number must fit.
      const bool same = proj.source == proj.target;
      const std::uint64_t self = same && !proj.autapses ? 1 : 0;
      const std::uint64_t limit =
          proj.rule == ConnectionRule::fixed_indegree ? source->size - self
          : proj.rule == ConnectionRule::fixed_outdegree
              ? target->size - self
              : std::uint64_t{source->size} * target->size - self * target->size;
      if (!proj.multapses && proj.number > limit)
        throw input_error(
            r.key(key_name), std::to_string(number),
            "must be <= " + std::to_string(limit) + " without multapses (distinct " +
                (proj.rule == ConnectionRule::fixed_total_number ? "pairs" : "partners") +
                " available)");
      if (limit == 0 && proj.number > 0)
        throw input_error(r.key(key_name), std::to_string(number),
                          "no partner available (one neuron and autapses = false)");
      if (proj.rule != ConnectionRule::fixed_total_number &&
          proj.number > std::numeric_limits<std::uint32_t>::max())
        throw input_error(r.key(key_name), std::to_string(number), "must be < 2^32");
      break;
    }
  }
  if (auto v = r.string("synapse")) proj.synapse = *v;
  const bool delta = proj.synapse == "delta";
  const bool conductance = proj.synapse == "exp_conductance" || proj.synapse == "alpha_conductance";
  if (!delta && !conductance && proj.synapse != "exp_current" && proj.synapse != "alpha_current")
    throw input_error(r.key("synapse"), "\"" + proj.synapse + "\"",
                      "unknown synapse (known: delta, exp_current, alpha_current, exp_conductance, "
                      "alpha_conductance)");
  if (delta) {
    for (const char* k : {"tau_syn", "E_rev"})
      if (r.has(k))
        throw input_error(r.key(k), describe(*r.node(k)), "not used by synapse \"delta\"");
  } else {
    proj.tau_syn = required(r.number("tau_syn"), r, "tau_syn");
    require_range(r.key("tau_syn"), proj.tau_syn, 0.0, true, inf, "ms");
    if (conductance) {
      proj.e_rev = required(r.number("E_rev"), r, "E_rev");
      require_range(r.key("E_rev"), proj.e_rev, -inf, false, inf, "mV");
    } else if (r.has("E_rev")) {
      throw input_error(r.key("E_rev"), describe(*r.node("E_rev")),
                        "not used by synapse \"" + proj.synapse + "\" (a current has no reversal)");
    }
  }
  proj.weight = required(r.param("weight"), r, "weight");
  if (conductance) {
    // A conductance is never negative: inhibition comes from E_rev.
    if (proj.weight.lower() < 0.0)
      throw input_error(r.key("weight"), describe(*r.node("weight")),
                        "a conductance must be >= 0 for every synapse [nS] (inhibition: a low "
                        "E_rev); use a constant, a uniform with low >= 0 or a normal with "
                        "min >= 0");
  }
  if (auto v = r.param("delay")) proj.delay = *v;
  const double dt = config.simulation.dt;
  switch (proj.delay.kind) {
    case ParamValue::Kind::constant:
      if (proj.delay.a < dt)
        throw input_error(r.key("delay"), describe(*r.node("delay")),
                          "must be >= dt = " + std::to_string(dt) + " [ms]");
      break;
    case ParamValue::Kind::uniform:
      if (proj.delay.a < dt)
        throw input_error(r.key("delay"), describe(*r.node("delay")),
                          "uniform low must be >= dt = " + std::to_string(dt) + " [ms]");
      break;
    case ParamValue::Kind::normal:
      // Redrawn below min (NEST's redraw): min >= dt keeps every delay at one step or more.
      if (proj.delay.lower() < dt)
        throw input_error(r.key("delay"), describe(*r.node("delay")),
                          "a normal delay needs min >= dt = " + std::to_string(dt) +
                              " [ms] (draws below min are redrawn)");
      break;
  }
  if (const toml::table* plasticity = r.table("plasticity"))
    proj.plasticity = read_plasticity(TableReader(*plasticity, r.key("plasticity")), proj, dt);
  r.finish();
  return proj;
}

TraceConfig read_trace(const std::string& population, TableReader r, const Config& config) {
  const PopulationConfig* pop = config.find_population(population);
  if (!pop) throw input_error(r.key(""), population, "no such population");
  TraceConfig t;
  t.population = population;
  const toml::node* vars = r.node("variables");
  if (!vars) throw input_error(r.key("variables"), "(missing)", "required");
  const auto* arr = vars->as_array();
  if (!arr || arr->empty())
    throw input_error(r.key("variables"), describe(*vars), "must be a non-empty list of names");
  const auto recordables = recordable_variables(pop->model);
  for (const auto& v : *arr) {
    const auto* s = v.as_string();
    bool known = false;
    for (const auto rv : recordables) known = known || (s && rv == s->get());
    if (!known)
      throw input_error(r.key("variables"), describe(v),
                        "not a recordable variable of model " + pop->model);
    t.variables.push_back(s->get());
  }
  const toml::node* neurons = r.node("neurons");
  if (!neurons) throw input_error(r.key("neurons"), "(missing)", "required");
  if (const auto* s = neurons->as_string(); s && s->get() == "all") {
    t.all_neurons = true;
  } else if (const auto* list = neurons->as_array()) {
    for (const auto& n : *list) {
      const auto* i = n.as_integer();
      if (!i || i->get() < 0 || i->get() >= static_cast<std::int64_t>(pop->size))
        throw input_error(r.key("neurons"), describe(n),
                          "must be ids in [0, " + std::to_string(pop->size) + ")");
      t.neurons.push_back(static_cast<std::uint32_t>(i->get()));
    }
    std::sort(t.neurons.begin(), t.neurons.end());
    t.neurons.erase(std::unique(t.neurons.begin(), t.neurons.end()), t.neurons.end());
  } else {
    throw input_error(r.key("neurons"), describe(*neurons), "must be a list of ids or \"all\"");
  }
  t.interval = r.number("interval").value_or(config.simulation.dt);
  require_range(r.key("interval"), t.interval, 0.0, true, inf, "ms");
  const double ratio = t.interval / config.simulation.dt;
  if (std::abs(ratio - std::round(ratio)) > 1e-9 * ratio || std::round(ratio) < 1)
    throw input_error(
        r.key("interval"), std::to_string(t.interval),
        "must be a whole multiple of dt = " + std::to_string(config.simulation.dt) + " [ms]");
  r.finish();
  return t;
}

// [sweep] vary = { "projection.ring.p" = [0.0, 0.1] }, seeds = 10, ranks_per_run = 1.
SweepConfig read_sweep(const toml::table& table) {
  TableReader r(table, "sweep");
  SweepConfig sweep;
  if (const toml::table* vary = r.table("vary")) {
    for (const auto& [name, node] : *vary) {
      const std::string key = "sweep.vary." + std::string(name.str());
      const toml::array* values = node.as_array();
      if (values == nullptr || values->empty())
        throw input_error(key, describe(node), "expected a non-empty array of numbers");
      std::vector<double> numbers;
      for (const auto& v : *values) {
        const auto x = v.value<double>();
        if (!x || !v.is_number()) throw input_error(key, describe(v), "expected a number");
        numbers.push_back(*x);
      }
      sweep.vary.emplace_back(std::string(name.str()), std::move(numbers));
    }
  }
  if (auto v = r.integer("seeds")) {
    if (*v < 1) throw input_error("sweep.seeds", std::to_string(*v), "must be >= 1");
    sweep.seeds = static_cast<int>(*v);
  }
  if (auto v = r.integer("ranks_per_run")) {
    if (*v < 1) throw input_error("sweep.ranks_per_run", std::to_string(*v), "must be >= 1");
    sweep.ranks_per_run = static_cast<int>(*v);
  }
  r.finish();
  return sweep;
}

}  // namespace

Config parse_config(std::string_view text, const std::vector<std::string>& overrides) {
  toml::table root;
  try {
    root = toml::parse(text);
  } catch (const toml::parse_error& e) {
    std::ostringstream msg;
    msg << "CONFIG: line " << e.source().begin.line << ", column " << e.source().begin.column
        << ": " << e.description();
    throw InputError(msg.str());
  }
  for (const std::string& o : overrides) apply_override(root, o);

  Config config;
  config.text = std::string(text);
  config.overrides = overrides;
  TableReader top(root, "");
  {
    static const toml::table empty;
    const toml::table* sim = top.table("simulation");
    config.simulation = read_simulation(TableReader(sim ? *sim : empty, "simulation"));
    if (const toml::table* pops = top.table("population")) {
      // Neuron ids are uint32: refused before any per-neuron check runs over the sizes.
      double total = 0.0;
      for (const auto& [name, node] : *pops)
        if (const toml::table* t = node.as_table())
          if (const auto size = (*t)["size"].value<std::int64_t>(); size && *size > 0)
            total += static_cast<double>(*size);
      if (total > 4294967295.0)
        throw InputError("population: " + std::to_string(static_cast<std::uint64_t>(total)) +
                         " neurons in total, more than 4294967295, the limit of neuron ids "
                         "(uint32)");
      TableReader pr(*pops, "population");
      for (const auto& [name, node] : *pops) {
        const std::string n(name.str());
        const toml::table* t = pr.table(n);
        config.populations.push_back(
            read_population(n, TableReader(*t, "population." + n), config.simulation));
      }
    }
    if (const toml::table* projs = top.table("projection")) {
      TableReader pr(*projs, "projection");
      for (const auto& [name, node] : *projs) {
        const std::string n(name.str());
        const toml::table* t = pr.table(n);
        config.projections.push_back(
            read_projection(n, TableReader(*t, "projection." + n), config));
      }
    }
    if (const toml::table* inputs = top.table("input")) {
      TableReader ir(*inputs, "input");
      for (const auto& [name, node] : *inputs) {
        const std::string n(name.str());
        read_input(n, TableReader(*ir.table(n), "input." + n), config);
      }
    }
    if (const toml::table* out = top.table("output")) {
      TableReader r(*out, "output");
      if (auto v = r.string("file")) config.output.file = *v;
      if (config.output.file.empty()) throw input_error("output.file", "\"\"", "must not be empty");
      if (auto v = r.boolean("spikes")) config.output.spikes = *v;
      if (auto v = r.number("flush_interval")) config.output.flush_interval = *v;
      require_range("output.flush_interval", config.output.flush_interval, 0.0, true, inf, "ms");
      if (auto v = r.number("flush_min_wall")) config.output.flush_min_wall = *v;
      require_range("output.flush_min_wall", config.output.flush_min_wall, 0.0, false, inf, "s");
      if (const toml::table* traces = r.table("traces")) {
        TableReader tr(*traces, "output.traces");
        for (const auto& [name, node] : *traces) {
          const std::string n(name.str());
          config.output.traces.push_back(
              read_trace(n, TableReader(*tr.table(n), "output.traces." + n), config));
        }
      }
      if (const toml::table* weights = r.table("weights")) {
        TableReader wr(*weights, "output.weights");
        for (const auto& [name, node] : *weights) {
          const std::string n(name.str());
          config.output.weights.push_back(
              read_weight_output(n, TableReader(*wr.table(n), "output.weights." + n), config));
        }
      }
      r.finish();
    }
    config.output.weights = complete_weight_outputs(config, std::move(config.output.weights));
    if (const toml::table* part = top.table("partition")) {
      TableReader r(*part, "partition");
      if (auto v = r.string("method")) {
        if (*v == "contiguous")
          config.partition.method = PartitionMethod::contiguous;
        else if (*v == "round_robin")
          config.partition.method = PartitionMethod::round_robin;
        else if (*v == "balanced")
          config.partition.method = PartitionMethod::balanced;
        else
          throw input_error("partition.method", "\"" + *v + "\"",
                            "unknown method (known: contiguous, round_robin, balanced)");
      }
      r.finish();
    }
    if (const toml::table* sweep = top.table("sweep")) config.sweep = read_sweep(*sweep);
    if (const toml::table* prog = top.table("progress")) {
      TableReader r(*prog, "progress");
      if (auto v = r.number("interval")) config.progress_interval = *v;
      require_range("progress.interval", config.progress_interval, 0.0, true, inf, "s");
      r.finish();
    }
  }
  top.finish();
  return config;
}

Config load_config(const std::string& path, const std::vector<std::string>& overrides) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec))
    throw input_error("CONFIG", path, "is a directory, not a TOML file");
  std::ifstream in(path);
  if (!in)
    throw input_error("CONFIG", path,
                      std::string("cannot read file (") + std::strerror(errno) + ")");
  std::ostringstream text;
  text << in.rdbuf();
  return parse_config(text.str(), overrides);
}

}  // namespace myelin
