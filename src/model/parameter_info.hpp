#pragma once

// What a neuron model declares about each of its parameters: the config parser validates
// against this table and the README's reference is written from it.

#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace myelin {

struct ParameterInfo {
  std::string_view name;  // NEST name, e.g. "tau_m"
  std::string_view unit;  // "ms", "mV", "pA", "pF", "nS" or "" for dimensionless
  double default_value;
  double min = -std::numeric_limits<double>::infinity();
  double max = std::numeric_limits<double>::infinity();
  bool min_exclusive = false;  // true: value must be > min; false: >= min
  std::string_view meaning;
};

// A non-numeric choice of a model, e.g. izhikevich `scheme = "euler"`.
struct ModelOption {
  std::string_view name;
  std::string_view default_value;  // "" = not set
  std::span<const std::string_view> allowed;
  std::string_view meaning;
};

struct PopulationSpec;

// What a cell model declares about itself; every model class has `static const ModelInfo&
// info()`, and model/model_registry.hpp lists the classes. The config parser, the checks, the
// recorder and the README's reference all read this.
struct ModelInfo {
  std::string_view name;  // the config's `model = "..."`
  std::span<const ParameterInfo> parameters = {};
  std::span<const std::string_view> recordables = {};  // for [output.traces]
  std::span<const ModelOption> options = {};
  // Parameters that may be given as { nernst = { z, c_in, c_out } }.
  std::span<const std::string_view> nernst_parameters = {};
  // Cross-parameter checks the per-parameter ranges cannot express (nullptr: none).
  void (*check)(const PopulationSpec&, std::uint64_t seed) = nullptr;
  // The defaults a named preset option sets (nullptr: the model has no presets).
  std::optional<std::map<std::string, double>> (*preset)(std::string_view name) = nullptr;
  // spike_source: its neurons emit configured spike times and take no input.
  bool emits_given_spikes = false;
};

// The model named `name` (nullptr when no model has that name).
const ModelInfo* find_model(std::string_view name);

// The parameter table of a model, or an empty span when the model is unknown.
std::span<const ParameterInfo> parameters_of(std::string_view model);

std::span<const ModelOption> options_of(std::string_view model);
// Parameter defaults a preset option overrides (empty when none).
std::map<std::string, double> preset_defaults(std::string_view model, std::string_view preset);
// Whether a parameter may be given as { nernst = { z, c_in, c_out } }.
bool accepts_nernst(std::string_view model, std::string_view parameter);

// Names of the models a config may use, for error messages.
std::span<const std::string_view> known_models();

// Cross-parameter checks of a population whose parameters each passed their range check
// (for example V_reset < V_th, for every neuron when a value is a distribution). Throws
// InputError naming the key.
void check_model_constraints(const PopulationSpec& population, std::uint64_t seed);

// Recordable state variables of a model (for [output.traces]).
std::span<const std::string_view> recordable_variables(std::string_view model);

}  // namespace myelin
