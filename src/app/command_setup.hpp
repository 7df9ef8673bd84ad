#pragma once

// Steps every command that simulates shares.

#include <optional>

#include "app/commands.hpp"
#include "config/config.hpp"

namespace myelin {

// Loads the config with the --set overrides and -o, checks --threads and that the output file
// can be created; prints the agreed error and returns nullopt on every rank otherwise.
std::optional<Config> load_and_check(const RunOptions& options, Communicator& comm);

// --threads, else simulation.threads, else OMP_NUM_THREADS.
int resolve_threads(const RunOptions& options, const Config& config);

}  // namespace myelin
