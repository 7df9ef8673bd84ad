#pragma once

#include <string>

#include "config/config.hpp"
#include "sim/simulation.hpp"

namespace myelin {

struct RunContext {
  const Config& config;
  const LocalNetwork& network;
  int ranks;
  int threads;
  std::string output_file;
  std::string job_id;
  std::string launcher;
};

// The final report a person reads.
std::string format_summary(const RunSummary& summary, const RunContext& context);
// The same numbers as one JSON object, for benchmarks and scripts.
std::string summary_json(const RunSummary& summary, const RunContext& context);

}  // namespace myelin
