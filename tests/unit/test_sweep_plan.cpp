#include <gtest/gtest.h>

#include "app/sweep_plan.hpp"
#include "myelin/errors.hpp"

namespace myelin {
namespace {

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const InputError& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(SweepPlan, GridIsFirstKeySlowestThenSeeds) {
  SweepConfig section;
  section.vary = {{"a.x", {1.0, 2.0}}, {"b.y", {0.5, 0.25, 0.125}}};
  const SweepPlan plan = make_sweep_plan(section, {}, 2, std::nullopt, 100);
  ASSERT_EQ(plan.runs.size(), 12U);
  EXPECT_EQ(plan.keys, (std::vector<std::string>{"a.x", "b.y"}));
  EXPECT_EQ(plan.runs[0].name, "run_0000");
  EXPECT_EQ(plan.runs[11].name, "run_0011");
  EXPECT_EQ(plan.runs[0].values, (std::vector<double>{1.0, 0.5}));
  EXPECT_EQ(plan.runs[1].values, (std::vector<double>{1.0, 0.5}));
  EXPECT_EQ(plan.runs[2].values, (std::vector<double>{1.0, 0.25}));
  EXPECT_EQ(plan.runs[6].values, (std::vector<double>{2.0, 0.5}));
  EXPECT_EQ(plan.runs[0].seed, 100U);
  EXPECT_EQ(plan.runs[1].seed, 101U);
  EXPECT_EQ(plan.runs[2].seed, 100U);  // the same seeds at every grid point
  EXPECT_EQ(plan.runs[3].set,
            (std::vector<std::string>{"a.x=1", "b.y=0.25", "simulation.seed=101"}));
}

TEST(SweepPlan, CommandLineReplacesTheSectionKeyByKey) {
  SweepConfig section;
  section.vary = {{"projection.ring.p", {0.0, 0.5}}, {"simulation.dt", {0.1}}};
  section.seeds = 10;
  section.ranks_per_run = 2;
  const SweepPlan plan =
      make_sweep_plan(section, {"projection.ring.p=0.1,0.3", "x.y=3"}, std::nullopt, 1, 0);
  EXPECT_EQ(plan.keys, (std::vector<std::string>{"projection.ring.p", "simulation.dt", "x.y"}));
  EXPECT_EQ(plan.runs.size(), 20U);
  EXPECT_EQ(plan.runs.back().values, (std::vector<double>{0.3, 0.1, 3.0}));
  EXPECT_EQ(plan.ranks_per_run, 1);
  EXPECT_EQ(plan.seeds, 10);
}

TEST(SweepPlan, ValuesReadBackExactly) {
  const SweepPlan plan = make_sweep_plan({}, {"k=0.1,1e-7,3"}, 1, 1, 0);
  EXPECT_EQ(plan.runs[0].set[0], "k=0.1");
  EXPECT_EQ(std::stod(plan.runs[1].set[0].substr(2)), 1e-7);
  EXPECT_EQ(plan.runs[2].set[0], "k=3");
}

TEST(SweepPlan, NoVaryIsOneRunPerSeed) {
  const SweepPlan plan = make_sweep_plan({}, {}, 3, 1, 5);
  ASSERT_EQ(plan.runs.size(), 3U);
  EXPECT_EQ(plan.runs[2].set, (std::vector<std::string>{"simulation.seed=7"}));
}

TEST(SweepPlan, BadInputNamesArgumentValueAndReason) {
  EXPECT_EQ(error_of([] { make_sweep_plan({}, {"p=0.1,,0.2"}, 1, 1, 0); }),
            "--vary p = \"\": not a number (values are comma-separated numbers)");
  EXPECT_EQ(error_of([] { make_sweep_plan({}, {"p=0.1,nan"}, 1, 1, 0); }),
            "--vary p = nan: not a number (values are comma-separated numbers)");
  EXPECT_EQ(error_of([] { make_sweep_plan({}, {"=1"}, 1, 1, 0); }),
            "--vary = =1: expected KEY=v1,v2,... with a dotted KEY");
  EXPECT_EQ(error_of([] { make_sweep_plan({}, {}, 0, 1, 0); }), "--seeds = 0: must be >= 1");
  EXPECT_EQ(error_of([] { make_sweep_plan({}, {}, 1, -1, 0); }),
            "--ranks-per-run = -1: must be >= 1");
}

}  // namespace
}  // namespace myelin
