#include "config/config.hpp"

namespace myelin {

const PopulationConfig* Config::find_population(const std::string& name) const {
  for (const auto& p : populations)
    if (p.name == name) return &p;
  return nullptr;
}

}  // namespace myelin
