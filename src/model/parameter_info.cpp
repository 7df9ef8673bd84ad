#include "model/parameter_info.hpp"

#include <vector>

#include "model/model_registry.hpp"

namespace myelin {

const ModelInfo* find_model(std::string_view name) {
  const ModelInfo* found = nullptr;
  Models::for_each([&]<class Model>() {
    if (found == nullptr && Model::info().name == name) found = &Model::info();
  });
  return found;
}

std::span<const ParameterInfo> parameters_of(std::string_view model) {
  const ModelInfo* m = find_model(model);
  return m ? m->parameters : std::span<const ParameterInfo>();
}

std::span<const ModelOption> options_of(std::string_view model) {
  const ModelInfo* m = find_model(model);
  return m ? m->options : std::span<const ModelOption>();
}

std::map<std::string, double> preset_defaults(std::string_view model, std::string_view preset) {
  const ModelInfo* m = find_model(model);
  if (m && m->preset && !preset.empty())
    if (auto p = m->preset(preset)) return *p;
  return {};
}

bool accepts_nernst(std::string_view model, std::string_view parameter) {
  const ModelInfo* m = find_model(model);
  if (!m) return false;
  for (const std::string_view p : m->nernst_parameters)
    if (p == parameter) return true;
  return false;
}

std::span<const std::string_view> known_models() {
  static const std::vector<std::string_view> names = [] {
    std::vector<std::string_view> out;
    Models::for_each([&]<class Model>() { out.push_back(Model::info().name); });
    return out;
  }();
  return names;
}

void check_model_constraints(const PopulationSpec& population, std::uint64_t seed) {
  const ModelInfo* m = find_model(population.model);
  if (m && m->check) m->check(population, seed);
}

std::span<const std::string_view> recordable_variables(std::string_view model) {
  const ModelInfo* m = find_model(model);
  return m ? m->recordables : std::span<const std::string_view>();
}

}  // namespace myelin
