#include "app/commands.hpp"

#include <cstdio>
#include <fstream>
#include <functional>
#include <iostream>
#include <optional>

#include "app/launch_environment.hpp"
#include "app/output_path.hpp"
#include "app/progress.hpp"
#include "app/summary.hpp"
#include "config/config_parser.hpp"
#include "io/create_result_file.hpp"
#include "myelin/version.hpp"
#include "sim/simulation.hpp"

namespace myelin {

namespace {

void print_error(Communicator& comm, const std::string& message, int from_rank) {
  // The failing rank's text reaches rank 0, which alone prints it.
  const std::string text = comm.broadcast(message, from_rank);
  if (comm.rank() == 0) std::fprintf(stderr, "myelin: error: %s\n", text.c_str());
}

// Runs `step` on every rank; if it throws InputError on any rank, every rank learns it, the
// lowest failing rank's message is printed once, and nullopt is returned everywhere.
template <typename T>
std::optional<T> agreed(Communicator& comm, const std::function<T()>& step) {
  std::optional<T> value;
  std::string message;
  try {
    value = step();
  } catch (const InputError& e) {
    message = e.what();
  }
  const int failed = comm.first_failed_rank(!value.has_value());
  if (failed < 0) return value;
  print_error(comm, message, failed);
  return std::nullopt;
}

std::optional<Config> load_and_check(const RunOptions& options, Communicator& comm) {
  return agreed<Config>(comm, [&] {
    Config config = load_config(options.config_path, options.overrides);
    if (!options.output.empty()) config.output.file = options.output;
    if (options.threads < 0)
      throw input_error("--threads", std::to_string(options.threads), "must be >= 1");
    // One rank looks at the file system, so all ranks give the same verdict.
    const std::string problem =
        comm.broadcast(comm.rank() == 0 ? output_path_problem(config.output.file) : "", 0);
    if (!problem.empty())
      throw input_error("output.file", config.output.file, "cannot create (" + problem + ")");
    return config;
  });
}

int resolve_threads(const RunOptions& options, const Config& config) {
  if (options.threads > 0) return options.threads;
  if (config.simulation.threads > 0) return config.simulation.threads;
  return default_thread_count();
}

}  // namespace

ExitCode validate_command(const RunOptions& options, Communicator& comm) {
  const auto config = load_and_check(options, comm);
  if (!config) return ExitCode::bad_input;
  if (comm.rank() == 0 && !options.quiet) {
    std::uint64_t neurons = 0;
    for (const auto& p : config->populations) neurons += p.size;
    std::printf(
        "%s: valid (%zu population(s), %llu neurons, %zu projection(s), dt %g ms, t_stop %g ms)\n",
        options.config_path.c_str(), config->populations.size(),
        static_cast<unsigned long long>(neurons), config->projections.size(), config->simulation.dt,
        config->simulation.t_stop);
  }
  return ExitCode::ok;
}

ExitCode run_command(const RunOptions& options, Communicator& comm) {
  const auto config = load_and_check(options, comm);
  if (!config) return ExitCode::bad_input;
  const int threads = resolve_threads(options, *config);

  Simulation sim(*config, comm, threads);

  std::unique_ptr<ResultFile> file;
  if (!agreed<bool>(comm, [&] {
        file = create_result_file(config->output.file, comm);
        return true;
      })) {
    return ExitCode::bad_input;
  }

  RunInfo info;
  info.config_text = config->text;
  info.overrides = config->overrides;
  info.seed = config->simulation.seed;
  info.version = version_string;
  info.git_sha = git_sha;
  info.ranks = comm.size();
  info.threads = threads;
  info.dt = config->simulation.dt;
  info.t_stop = config->simulation.t_stop;
  info.min_delay = static_cast<double>(sim.network().min_delay) * config->simulation.dt;
  const LaunchEnvironment launch = launch_environment();
  info.job_id = launch.job_id;
  info.launcher = launch.launcher;
  file->write_run_info(info);
  file->write_network(sim.network().projections, sim.network().partition);

  ProgressLine progress(comm.rank() == 0 && !options.quiet, config->progress_interval);
  RunSummary summary;
  try {
    summary = sim.run(*file, std::ref(progress));
  } catch (const NumericalError& e) {
    progress.finish();
    file.reset();
    if (comm.rank() == 0) std::fprintf(stderr, "myelin: error: %s\n", e.what());
    return ExitCode::numerical;
  }
  progress.finish();

  if (comm.rank() == 0) {
    const RunContext context{*config,        sim.network(),       comm.size(),
                             threads,        config->output.file, launch.job_id,
                             launch.launcher};
    if (!options.quiet) std::fputs(format_summary(summary, context).c_str(), stdout);
    if (!options.summary_json.empty()) {
      std::ofstream json(options.summary_json);
      json << summary_json(summary, context) << "\n";
    }
  }
  return ExitCode::ok;
}

ExitCode info_command(const std::string& path, Communicator& comm) {
  const auto text = agreed<std::string>(
      comm, [&] { return comm.rank() == 0 ? describe_result_file(path) : std::string(); });
  if (!text) return ExitCode::bad_input;
  if (comm.rank() == 0) std::fputs(text->c_str(), stdout);
  return ExitCode::ok;
}

}  // namespace myelin
