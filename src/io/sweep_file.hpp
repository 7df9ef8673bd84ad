#pragma once

// The one file of a sweep, assembled by one process after every run has finished. Independent
// groups of ranks cannot share one parallel HDF5 file (each metadata change would have to be
// made by every rank of the file, in the same order), so each run writes its own part file
// collectively over its group, and the parts are copied in here with H5Ocopy.
//
//   /meta        attrs kind = "sweep", complete (0 until the end), config, overrides, version,
//                git_sha, ranks, ranks_per_run, threads, n_runs, n_failed
//   /sweep       names, seed, complete (int8), error (text, "" for a complete run),
//                params/<dotted.key> (float64), one row per run in plan order
//   /runs/<name> the run's own file (/meta, /spikes, /traces, /projections, ...), plus attrs
//                seed, complete, error and one attr per varied key

#include <cstdint>
#include <string>
#include <vector>

namespace myelin {

struct SweepIndex {
  std::vector<std::string> names;
  std::vector<std::uint64_t> seeds;
  std::vector<int> complete;        // 1 when the run's file is complete
  std::vector<std::string> errors;  // "" for complete runs
  std::vector<std::string> keys;
  std::vector<std::vector<double>> values;  // [run][key]
  std::vector<std::string> part_files;      // [run]; "" when the run left no file
  std::string config_text;
  std::vector<std::string> overrides;
  int ranks = 1;
  int ranks_per_run = 1;
  int threads = 1;
};

// Serial (one process). Throws InputError when `path` cannot be created, std::runtime_error
// naming the HDF5 call otherwise. Sets /meta complete = 1 last.
void write_sweep_file(const std::string& path, const SweepIndex& index);

}  // namespace myelin
