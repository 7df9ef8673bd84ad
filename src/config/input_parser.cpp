#include "config/input_parser.hpp"

#include <cmath>
#include <limits>

#include "model/parameter_info.hpp"
#include "myelin/errors.hpp"

namespace myelin {

namespace {

constexpr double inf = std::numeric_limits<double>::infinity();

// A time [ms] that must be a whole number of steps >= 0: the step it starts.
Step whole_steps(TableReader& r, const std::string& key, double t, double dt) {
  const double k = t / dt;
  if (!(t >= 0.0) || std::abs(k - std::round(k)) > 1e-9 * std::max(1.0, k))
    throw input_error(r.key(key), describe(*r.node(key)),
                      "must be >= 0 and a whole multiple of dt = " + std::to_string(dt) + " [ms]");
  return std::llround(k);
}

}  // namespace

void read_input(const std::string& name, TableReader r, Config& config) {
  if (!valid_name(name))
    throw input_error(r.key(""), name, "input names are [A-Za-z_][A-Za-z0-9_]*");
  const std::string type = required(r.string("type"), r, "type");
  if (type != "poisson" && type != "dc")
    throw input_error(r.key("type"), "\"" + type + "\"", "unknown input type (known: poisson, dc)");
  const std::string target = required(r.string("target"), r, "target");
  PopulationConfig* pop = nullptr;
  for (PopulationConfig& p : config.populations)
    if (p.name == target) pop = &p;
  if (pop == nullptr)
    throw input_error(r.key("target"), "\"" + target + "\"", "no such population");
  if (const ModelInfo* model = find_model(pop->model); model && model->emits_given_spikes)
    throw input_error(r.key("target"), "\"" + target + "\"",
                      "a spike_source ignores its inputs; drive a neuron population");
  const double dt = config.simulation.dt;
  Step first = 0, last = std::numeric_limits<Step>::max();
  if (auto v = r.number("start")) first = whole_steps(r, "start", *v, dt);
  if (auto v = r.number("stop")) {
    last = whole_steps(r, "stop", *v, dt);
    if (last <= first)
      throw input_error(
          r.key("stop"), describe(*r.node("stop")),
          "must be > start = " + std::to_string(static_cast<double>(first) * dt) + " [ms]");
  }
  if (type == "dc") {
    for (const char* k : {"rate", "weight", "synapse", "tau_syn", "E_rev"})
      if (r.has(k)) throw input_error(r.key(k), describe(*r.node(k)), "not used by type \"dc\"");
    DcWindow dc;
    dc.amplitude = required(r.number("amplitude"), r, "amplitude");
    dc.first = first;
    dc.last = last;
    pop->dc.push_back(dc);
    r.finish();
    return;
  }
  if (r.has("amplitude"))
    throw input_error(r.key("amplitude"), describe(*r.node("amplitude")),
                      "not used by type \"poisson\" (its drive is rate and weight)");
  PoissonInputConfig in;
  in.name = name;
  in.target = target;
  in.first_step = first;
  in.last_step = last;
  in.rate = required(r.number("rate"), r, "rate");
  require_range(r.key("rate"), in.rate, 0.0, false, inf, "Hz");
  // Spikes per neuron and step: beyond 1e6 a count is a drive better given as dc.
  if (in.rate * dt * 1e-3 > 1e6)
    throw input_error(r.key("rate"), describe(*r.node("rate")),
                      "more than 1e6 spikes per neuron and step; use a dc input");
  in.weight = required(r.number("weight"), r, "weight");
  if (auto v = r.string("synapse")) in.synapse = *v;
  const bool delta = in.synapse == "delta";
  const bool conductance = in.synapse == "exp_conductance" || in.synapse == "alpha_conductance";
  if (!delta && !conductance && in.synapse != "exp_current" && in.synapse != "alpha_current")
    throw input_error(r.key("synapse"), "\"" + in.synapse + "\"",
                      "unknown synapse (known: delta, exp_current, alpha_current, exp_conductance, "
                      "alpha_conductance)");
  if (delta) {
    for (const char* k : {"tau_syn", "E_rev"})
      if (r.has(k))
        throw input_error(r.key(k), describe(*r.node(k)), "not used by synapse \"delta\"");
  } else {
    in.tau_syn = required(r.number("tau_syn"), r, "tau_syn");
    require_range(r.key("tau_syn"), in.tau_syn, 0.0, true, inf, "ms");
    if (conductance) {
      in.e_rev = required(r.number("E_rev"), r, "E_rev");
    } else if (r.has("E_rev")) {
      throw input_error(r.key("E_rev"), describe(*r.node("E_rev")),
                        "not used by synapse \"" + in.synapse + "\" (a current has no reversal)");
    }
  }
  if (conductance && in.weight < 0.0)
    throw input_error(r.key("weight"), describe(*r.node("weight")),
                      "a conductance must be >= 0 [nS] (inhibition: a low E_rev)");
  config.poisson_inputs.push_back(in);
  r.finish();
}

}  // namespace myelin
