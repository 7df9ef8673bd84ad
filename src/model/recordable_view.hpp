#pragma once

// A recordable variable of one population, resolved from its name once (when the recorder is
// set up), so that sampling reads arrays instead of dispatching on the variable per neuron.

#include <cstddef>
#include <vector>

namespace myelin {

struct RecordableView {
  // The arrays whose sum at local neuron i is the value: one state array (V_m, m, U_m ...), or
  // the state arrays of the ports that make up a total (I_syn, g_syn; none: 0).
  std::vector<const double*> terms;
  bool direct = false;  // exactly one state array, read as is (a sum would turn -0 into +0)

  static RecordableView of(const std::vector<double>& state) { return {{state.data()}, true}; }

  double at(std::size_t i) const {
    if (direct) return terms[0][i];
    double sum = 0.0;
    for (const double* t : terms) sum += t[i];
    return sum;
  }
};

}  // namespace myelin
