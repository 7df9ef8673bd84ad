#include "model/parameter_info.hpp"

#include <array>

#include "model/lif.hpp"

namespace myelin {

namespace {
constexpr std::array<std::string_view, 1> models = {"lif"};
}

std::span<const ParameterInfo> parameters_of(std::string_view model) {
  if (model == "lif") return lif_parameters();
  return {};
}

std::span<const std::string_view> known_models() {
  return models;
}

void check_model_constraints(const PopulationConfig& population, std::uint64_t seed) {
  if (population.model == "lif") check_lif_constraints(population, seed);
}

std::span<const std::string_view> recordable_variables(std::string_view model) {
  if (model == "lif") return lif_recordables();
  return {};
}

}  // namespace myelin
