#pragma once

// What a neuron population is, as the config produces it and the models read it: its size, its
// model's parameters (numbers or per-neuron distributions) and options, and the dc drive onto it.
// A core type, so that the models depend on this and not on the config layer.

#include <cstdint>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include "myelin/types.hpp"

namespace myelin {

// A number, or a distribution drawn per neuron (neuron parameters) or per synapse
// (weights, delays) from counter-based random numbers. A normal may be bounded: values outside
// [min, max] are redrawn (NEST's redraw), so it is the normal truncated to [min, max].
struct ParamValue {
  enum class Kind { constant, uniform, normal };
  Kind kind = Kind::constant;
  double a = 0.0;                                         // the constant; uniform low; normal mean
  double b = 0.0;                                         // uniform high; normal standard deviation
  double min = -std::numeric_limits<double>::infinity();  // normal: lower bound (redraw)
  double max = std::numeric_limits<double>::infinity();   // normal: upper bound (redraw)

  static ParamValue constant(double v) { return {Kind::constant, v, 0.0}; }
  bool is_constant() const { return kind == Kind::constant; }
  bool is_bounded() const {
    return kind == Kind::normal && (min > -std::numeric_limits<double>::infinity() ||
                                    max < std::numeric_limits<double>::infinity());
  }
  // The smallest and largest value any draw can take (+-inf for an unbounded normal).
  double lower() const { return kind == Kind::normal ? (b == 0.0 ? a : min) : a; }
  double upper() const {
    return kind == Kind::normal ? (b == 0.0 ? a : max) : kind == Kind::uniform ? b : a;
  }
};

// A constant current over a window of steps [first, last) ([input.NAME] type = "dc"); the
// model adds it to I_e.
struct DcWindow {
  double amplitude = 0.0;  // [pA] (izhikevich: the model's mV/ms)
  Step first = 0;          // first step it acts in
  Step last = 0;           // first step it no longer acts in
};

struct PopulationSpec {
  std::string name;
  std::string model;  // "lif", "hh", "traub_miles", "izhikevich", "spike_source"
  std::uint32_t size = 0;
  std::map<std::string, ParamValue> params;    // every parameter of the model, defaults filled in
  std::map<std::string, std::string> options;  // model choices, e.g. izhikevich "scheme", "preset"
  // spike_source: spike steps (the step whose end is the spike time), ascending; one list per
  // neuron, or a single list every neuron shares.
  std::vector<std::vector<Step>> spike_steps;
  std::vector<DcWindow> dc;  // dc inputs onto this population, in the order of their names
};

}  // namespace myelin
