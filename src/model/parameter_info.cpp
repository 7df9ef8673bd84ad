#include "model/parameter_info.hpp"

#include <array>

#include "model/hh.hpp"
#include "model/izhikevich.hpp"
#include "model/lif.hpp"

namespace myelin {

namespace {
constexpr std::array<std::string_view, 5> models = {"lif", "hh", "traub_miles", "izhikevich",
                                                    "spike_source"};

constexpr std::array<std::string_view, 2> izh_schemes = {"izh2003", "euler"};
constexpr std::array<std::string_view, 7> izh_presets = {"RS", "IB", "CH", "FS", "LTS", "RZ", "TC"};
constexpr std::array<ModelOption, 2> izh_options = {{
    {"scheme", "izh2003", izh_schemes, "integration scheme"},
    {"preset", "", izh_presets, "named cell type: sets the defaults of a, b, c, d"},
}};
}  // namespace

std::span<const ParameterInfo> parameters_of(std::string_view model) {
  if (model == "lif") return lif_parameters();
  if (model == "hh") return hh_parameters();
  if (model == "traub_miles") return traub_miles_parameters();
  if (model == "izhikevich") return izhikevich_parameters();
  return {};
}

std::span<const ModelOption> options_of(std::string_view model) {
  if (model == "izhikevich") return izh_options;
  return {};
}

std::map<std::string, double> preset_defaults(std::string_view model, std::string_view preset) {
  if (model == "izhikevich" && !preset.empty())
    if (auto p = izhikevich_preset(preset)) return *p;
  return {};
}

bool accepts_nernst(std::string_view model, std::string_view parameter) {
  return (model == "hh" || model == "traub_miles") && (parameter == "E_Na" || parameter == "E_K");
}

std::span<const std::string_view> known_models() {
  return models;
}

void check_model_constraints(const PopulationConfig& population, std::uint64_t seed) {
  if (population.model == "lif") check_lif_constraints(population, seed);
}

std::span<const std::string_view> recordable_variables(std::string_view model) {
  if (model == "lif") return lif_recordables();
  if (model == "hh" || model == "traub_miles") return hh_recordables();
  if (model == "izhikevich") return izhikevich_recordables();
  return {};
}

}  // namespace myelin
