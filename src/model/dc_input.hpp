#pragma once

// The dc inputs of a population ([input.NAME] type = "dc"): the summed amplitude acting in a
// step, added by the model to its constant current I_e.

#include <vector>

#include "core/population_spec.hpp"

namespace myelin {

inline double dc_current(const std::vector<DcWindow>& windows, Step step) {
  double sum = 0.0;
  for (const DcWindow& w : windows)
    if (step >= w.first && step < w.last) sum += w.amplitude;
  return sum;
}

}  // namespace myelin
