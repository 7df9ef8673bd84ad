#include "app/commands.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <functional>
#include <iostream>
#include <optional>

#include "app/agreement.hpp"
#include "app/command_setup.hpp"
#include "app/dry_run.hpp"
#include "app/launch_environment.hpp"
#include "app/output_path.hpp"
#include "app/progress.hpp"
#include "app/resource_check.hpp"
#include "app/simulate_run.hpp"
#include "app/summary.hpp"
#include "config/config_parser.hpp"
#include "io/result_file.hpp"
#include "myelin/version.hpp"
#include "network/local_network.hpp"
#include "sim/simulation.hpp"

namespace myelin {

std::optional<Config> load_and_check(const RunOptions& options, Communicator& comm) {
  return agreed<Config>(comm, [&] {
    Config config = load_config(options.config_path, options.overrides);
    if (options.output_given && options.output.empty())
      throw input_error("-o", "\"\"", "must not be empty (the result file)");
    if (!options.output.empty()) config.output.file = options.output;
    if (config.populations.empty())
      throw input_error("CONFIG", options.config_path,
                        "nothing to simulate: no [population.NAME] table (an empty or "
                        "comments-only file, or the wrong file)");
    // The same bound as simulation.threads.
    if (options.threads < 0 || options.threads > 4096)
      throw input_error("--threads", std::to_string(options.threads), "must be in [1, 4096]");
    // One rank looks at the file system, so all ranks give the same verdict.
    const std::string problem =
        comm.broadcast(comm.rank() == 0 ? output_path_problem(config.output.file) : "", 0);
    if (!problem.empty())
      throw input_error("output.file", config.output.file, "cannot create (" + problem + ")");
    if (!options.summary_json.empty()) {
      const std::string json_problem =
          comm.broadcast(comm.rank() == 0 ? output_path_problem(options.summary_json) : "", 0);
      if (!json_problem.empty())
        throw input_error("--summary-json", options.summary_json,
                          "cannot create (" + json_problem + ")");
    }
    if (options.dry_run_ranks != 0) check_dry_run(config, options.dry_run_ranks);
    // A dry run holds one share of an R-rank job.
    check_resources(config, options.dry_run_ranks != 0 ? options.dry_run_ranks : comm.size(),
                    resolve_threads(options, config), comm);
    if (comm.rank() == 0 && !options.quiet)
      for (const std::string& warning : config_warnings(config))
        std::fprintf(stderr, "myelin: warning: %s\n", warning.c_str());
    return config;
  });
}

int resolve_threads(const RunOptions& options, const Config& config) {
  if (options.threads > 0) return options.threads;
  if (config.simulation.threads > 0) return config.simulation.threads;
  return default_thread_count();
}

ExitCode validate_command(const RunOptions& options, Communicator& comm) {
  const auto config = load_and_check(options, comm);
  if (!config) return ExitCode::bad_input;
  if (comm.rank() == 0 && !options.quiet) {
    const ResourceEstimate e =
        estimate_resources(*config, comm.size(), resolve_threads(options, *config));
    std::printf(
        "%s: valid (%zu population(s), %llu neurons, %zu projection(s), dt %g ms, t_stop %g ms)\n"
        "  estimate on %d rank(s): %.4g synapses, at least %s of memory per rank; output %s "
        "of traces and weights, plus spikes\n",
        options.config_path.c_str(), config->populations.size(),
        static_cast<unsigned long long>(e.neurons), config->projections.size(),
        config->simulation.dt, config->simulation.t_stop, comm.size(), e.synapses,
        format_bytes(e.memory_per_rank).c_str(), format_bytes(e.output_bytes).c_str());
  }
  return ExitCode::ok;
}

ExitCode run_command(const RunOptions& options, Communicator& comm) {
  if (options.dry_run_ranks != 0) return dry_run_command(options, comm);
  const auto config = load_and_check(options, comm);
  if (!config) return ExitCode::bad_input;
  const int threads = resolve_threads(options, *config);
  const auto checkpoints = agreed<CheckpointSetup>(comm, [&] {
    return checkpoint_setup(options.checkpoints, *config, false,
                            default_checkpoint_path(config->output.file), comm);
  });
  if (!checkpoints) return ExitCode::bad_input;
  const LaunchEnvironment launch = launch_environment();

  ProgressLine progress(comm.rank() == 0 && !options.quiet, config->progress_interval);
  const RunOutcome outcome = simulate_to_file(
      *config, comm, threads, launch, std::ref(progress),
      [&](const RunSummary& summary, const Simulation& sim) {
        progress.finish();
        const RunContext context{*config,        sim.network(),       comm.size(),
                                 threads,        config->output.file, launch.job_id,
                                 launch.launcher};
        if (!options.quiet) std::fputs(format_summary(summary, context).c_str(), stdout);
        if (!options.summary_json.empty()) {
          std::ofstream json(options.summary_json);
          json << summary_json(summary, context) << "\n";
          json.close();
          if (!json)
            std::fprintf(stderr, "myelin: error: cannot write %s: %s\n",
                         options.summary_json.c_str(), std::strerror(errno));
        }
      },
      *checkpoints);
  progress.finish();
  if (outcome.code != ExitCode::ok) print_error(comm, outcome.error);
  return outcome.code;
}

void print_error(Communicator& comm, const std::string& message) {
  if (comm.rank() == 0) std::fprintf(stderr, "myelin: error: %s\n", message.c_str());
}

ExitCode info_command(const std::string& path, Communicator& comm) {
  const auto text = agreed<std::string>(
      comm, [&] { return comm.rank() == 0 ? describe_result_file(path) : std::string(); });
  if (!text) return ExitCode::bad_input;
  if (comm.rank() == 0) std::fputs(text->c_str(), stdout);
  return ExitCode::ok;
}

}  // namespace myelin
