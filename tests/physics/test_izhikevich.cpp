// Izhikevich (2003) regular-spiking cell against ../shared/reference/izhikevich_rs_spikes.json
// (copied to tests/data): both schemes at dt = 0.1 and 0.01 ms, every spike to 1e-9 ms.

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "model/izhikevich.hpp"
#include "support/reference_data.hpp"

namespace myelin {
namespace {

std::vector<double> izhikevich_spikes(const std::string& scheme, double dt) {
  PopulationSpec pop;
  pop.name = "rs";
  pop.model = "izhikevich";
  pop.size = 1;
  for (const auto& info : izhikevich_parameters())
    pop.params[std::string(info.name)] = ParamValue::constant(info.default_value);
  pop.params["I_e"] = ParamValue::constant(10.0);
  pop.options["scheme"] = scheme;
  const std::vector<Gid> gids{0};
  IzhikevichPopulation cell(pop, gids, 0,
                            ModelContext{.dt = dt, .seed = 1, .v_bound = 1e4, .ports = {}});
  const std::vector<double> input{0.0};
  std::vector<Spike> spikes;
  Health health;
  const auto steps = static_cast<Step>(std::llround(1000.0 / dt));
  for (Step s = 0; s < steps; ++s) cell.update(0, 1, s, input, spikes, health);
  EXPECT_FALSE(health.failed);
  std::vector<double> t;
  for (const Spike& s : spikes)
    t.push_back((static_cast<double>(s.step) + static_cast<double>(s.offset)) * dt);
  return t;
}

void check(const std::string& scheme, const std::string& run, double dt) {
  const auto ref =
      testing::reference_array("izhikevich_rs_spikes.json", {"runs", run, "spike_times_ms"});
  const auto t = izhikevich_spikes(scheme, dt);
  ASSERT_GE(ref.size(), 20u);
  ASSERT_EQ(t.size(), ref.size()) << run;
  for (std::size_t k = 0; k < t.size(); ++k)
    EXPECT_NEAR(t[k], ref[k], 1e-9) << run << " spike " << k;
}

TEST(Izhikevich, Izh2003Dt01) {
  check("izh2003", "izh2003_dt0.1", 0.1);
}
TEST(Izhikevich, Izh2003Dt001) {
  check("izh2003", "izh2003_dt0.01", 0.01);
}
TEST(Izhikevich, EulerDt01) {
  check("euler", "euler_dt0.1", 0.1);
}
TEST(Izhikevich, EulerDt001) {
  check("euler", "euler_dt0.01", 0.01);
}

}  // namespace
}  // namespace myelin
