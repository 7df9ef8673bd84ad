#pragma once

// The runs of a sweep: the Cartesian product of the varied values (first key slowest) times
// the seeds, each a list of --set overrides. Pure: the same plan on every rank.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "config/config.hpp"

namespace myelin {

struct SweepRun {
  std::string name;              // run_0000, run_0001, ... in plan order
  std::uint64_t seed = 0;        // base seed + seed index: the same seeds at every grid point
  std::vector<double> values;    // one per varied key
  std::vector<std::string> set;  // overrides that turn the base config into this run's
};

struct SweepPlan {
  std::vector<std::string> keys;  // varied keys, in order
  std::vector<SweepRun> runs;
  int seeds = 1;
  int ranks_per_run = 1;
};

// `cli_vary` holds --vary KEY=v1,v2,... arguments; a key given there replaces the same key of
// [sweep] vary, other keys of [sweep] stay. `cli_seeds`/`cli_ranks_per_run` replace the
// section's values when given. Throws InputError naming the argument, value and reason.
SweepPlan make_sweep_plan(const SweepConfig& section, const std::vector<std::string>& cli_vary,
                          std::optional<int> cli_seeds, std::optional<int> cli_ranks_per_run,
                          std::uint64_t base_seed);

// "0.1" for 0.1: the shortest text that reads back as the same double (run names, overrides).
std::string shortest_text(double value);

}  // namespace myelin
