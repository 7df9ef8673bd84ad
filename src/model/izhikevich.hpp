#pragma once

// Izhikevich (2003) neuron (NEST izhikevich names; V in mV, time in ms, currents in the
// model's own units, so that dV/dt is in mV/ms):
//
//   dV/dt = 0.04 V^2 + 5 V + 140 - U + I_e + I_syn + noise,   dU/dt = a (b V - U)
//   V >= V_th  ->  spike, V <- c, U <- U + d
//
// scheme "izh2003" (default): the published update, V in two half steps, then U with the new V;
// scheme "euler": V and U together by forward Euler from the old state. The threshold is tested
// on the state a step produced, and the spike is stamped at the end of that step (the
// convention of ../shared/reference/izhikevich_rs_spikes.json). Presets RS, IB, CH, FS, LTS, RZ,
// TC set a, b, c, d (Izhikevich 2003, 2004); explicit keys win.

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/population_spec.hpp"
#include "model/model_context.hpp"
#include "model/parameter_info.hpp"
#include "model/recordable_view.hpp"
#include "model/state_array.hpp"
#include "myelin/health.hpp"
#include "myelin/types.hpp"

namespace myelin {

std::span<const ParameterInfo> izhikevich_parameters();
std::span<const std::string_view> izhikevich_recordables();
// The a, b, c, d of a named preset, or nullopt when the name is unknown.
std::optional<std::map<std::string, double>> izhikevich_preset(std::string_view name);

class IzhikevichPopulation {
 public:
  static const ModelInfo& info();
  IzhikevichPopulation(const PopulationSpec& config, std::span<const Gid> gids, Gid first_gid,
                       const ModelContext& context);

  std::size_t size() const { return gid_.size(); }
  void update(std::size_t begin, std::size_t end, Step step, std::span<const double> input,
              std::vector<Spike>& spikes, Health& health);
  // 0 V_m [mV], 1 U_m, 2 I_syn, 3 g_syn.
  // As arrays, resolved once by the recorder; value() reads one neuron through it.
  RecordableView recordable(std::size_t variable) const;
  double value(std::size_t variable, std::size_t i) const { return recordable(variable).at(i); }
  // Dynamic state by name, for checkpoints (model/state_array.hpp).
  std::vector<StateArray> state();

 private:
  std::vector<Gid> gid_;
  std::vector<DcWindow> dc_;  // [input.NAME] type = "dc" onto this population
  SynapsePorts ports_;
  double dt_;
  std::uint64_t seed_;
  double v_bound_;
  bool euler_ = false;
  bool any_noise_ = false;
  std::vector<double> a_, b_, c_, d_, i_e_, v_th_, noise_step_;
  std::vector<double> v_m_, u_m_;
};

}  // namespace myelin
