#pragma once

// Estimates before work: what a run will need per rank (memory) and on disk (output), from the
// config alone, before anything is built; and the limits of the index types. `validate` and
// `run` refuse a run that cannot fit with exit 2 (InputError), saying what was asked, what it
// needs and what is available.

#include <cstdint>
#include <string>
#include <vector>

#include "comm/communicator.hpp"
#include "config/config.hpp"

namespace myelin {

struct ResourceEstimate {
  std::uint64_t neurons = 0;          // whole network
  double synapses = 0.0;              // whole network (expected value for random rules)
  double plastic_synapses = 0.0;      // whole network
  std::uint64_t max_delay_steps = 0;  // longest delay [steps]
  double memory_per_rank = 0.0;       // [bytes] lower bound, build peak or steady state
  double memory_synapses = 0.0;       // [bytes] per rank: the synapses' part of it
  double memory_ring = 0.0;           // [bytes] per rank: ring buffers
  double memory_recording = 0.0;      // [bytes] per rank: trace and weight buffers
  double output_bytes = 0.0;          // [bytes] traces, weight snapshots (not spikes)
};

// Pure: from the config and the number of ranks and threads. Throws InputError when a size
// overflows an index type (neuron ids are uint32, delays uint32 steps, input channels uint32).
ResourceEstimate estimate_resources(const Config& config, int ranks, int threads);

// What this process may still allocate [bytes]: the smallest of MemAvailable (/proc/meminfo)
// and the cgroup's memory.max - memory.current (v2; v1 limit - usage), both shared by
// `ranks_on_node`, and RLIMIT_AS - VmSize. `source` says which one it is.
double available_memory(int ranks_on_node, std::string* source);

// Collective over `comm`: estimates and compares with the memory of this node (ranks that share
// it divide it) and the free space where the output goes; throws InputError on every rank when
// a run cannot fit. Returns the estimate.
ResourceEstimate check_resources(const Config& config, int ranks, int threads, Communicator& comm);

// What is valid but probably not meant, one sentence each (printed as `myelin: warning: ...`):
// a constant delay that is not a whole multiple of dt (it is rounded to the nearest step).
std::vector<std::string> config_warnings(const Config& config);

// "1.5 GiB", "320 MiB", "12 KiB", "512 B".
std::string format_bytes(double bytes);

}  // namespace myelin
