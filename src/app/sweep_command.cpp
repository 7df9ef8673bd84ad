// myelin sweep: many whole runs, distributed over groups of ranks, into one file.
//
// R ranks form R / G groups of G = ranks_per_run consecutive ranks (MPI_Comm_split). Run i
// belongs to group i mod (R / G); each group simulates its runs one after another, each into a
// part file written collectively by the group. A run is deterministic for its config and seed
// whatever the group's size, so the result does not depend on the grouping. When every group
// is done, rank 0 copies the parts into the sweep file and writes the index.

#include <cstdio>
#include <filesystem>

#include "app/agreement.hpp"
#include "app/command_setup.hpp"
#include "app/commands.hpp"
#include "app/launch_environment.hpp"
#include "app/resource_check.hpp"
#include "app/simulate_run.hpp"
#include "app/sweep_plan.hpp"
#include "config/config_parser.hpp"
#include "io/finished_run.hpp"
#include "io/output_commit.hpp"
#include "io/sweep_file.hpp"

namespace myelin {

namespace {

std::string describe_run(const SweepPlan& plan, const SweepRun& run) {
  std::string out = run.name + " (";
  for (std::size_t k = 0; k < plan.keys.size(); ++k)
    out += plan.keys[k] + "=" + shortest_text(run.values[k]) + ", ";
  return out + "seed " + std::to_string(run.seed) + ")";
}

// Every run's config, checked before any run starts so a bad grid point costs nothing.
std::vector<Config> run_configs(const SweepOptions& options, const SweepPlan& plan,
                                const std::string& parts) {
  std::vector<Config> out;
  for (const SweepRun& run : plan.runs) {
    std::vector<std::string> overrides = options.run.overrides;
    overrides.insert(overrides.end(), run.set.begin(), run.set.end());
    try {
      out.push_back(load_config(options.run.config_path, overrides));
    } catch (const InputError& e) {
      throw InputError(describe_run(plan, run) + ": " + e.what());
    }
    out.back().output.file = parts + "/" + run.name + ".h5";
  }
  return out;
}

}  // namespace

ExitCode sweep_command(const SweepOptions& options, Communicator& comm) {
  const auto base = load_and_check(options.run, comm);
  if (!base) return ExitCode::bad_input;
  const std::string output = base->output.file;
  const std::string parts = output + ".parts";

  SweepPlan plan;
  std::vector<Config> configs;
  OutputLock lock;  // rank 0 holds it until the sweep file is written
  if (auto error = agreed_error(comm, [&] {
        plan = make_sweep_plan(base->sweep, options.vary, options.seeds, options.ranks_per_run,
                               base->simulation.seed);
        if (comm.size() % plan.ranks_per_run != 0)
          throw input_error(
              "--ranks-per-run", std::to_string(plan.ranks_per_run),
              "must divide the number of ranks (" + std::to_string(comm.size()) + ")");
        configs = run_configs(options, plan, parts);
        for (std::size_t i = 0; i < configs.size(); ++i) {
          try {
            check_resources(configs[i], plan.ranks_per_run,
                            resolve_threads(options.run, configs[i]), comm);
          } catch (const InputError& e) {
            throw InputError(describe_run(plan, plan.runs[i]) + ": " + e.what());
          }
        }
        if (comm.rank() == 0) {
          lock = OutputLock(output);
          std::error_code ec;
          // A sweep that is killed must not leave an older complete file under this name.
          std::filesystem::remove(output, ec);
          std::filesystem::create_directories(parts, ec);
          if (ec)
            throw input_error("output.file", output,
                              "cannot create " + parts + " (" + ec.message() + ")");
        }
      })) {
    print_error(comm, *error);
    return ExitCode::bad_input;
  }

  const int threads = resolve_threads(options.run, *base);
  const int n_groups = comm.size() / plan.ranks_per_run;
  const int color = comm.rank() / plan.ranks_per_run;
  const auto group = comm.split(color);
  const LaunchEnvironment launch = launch_environment();
  const bool talk = !options.run.quiet && group->rank() == 0;
  if (!options.run.quiet && comm.rank() == 0)
    std::printf("sweep: %zu run(s) (%zu grid point(s) x %d seed(s)) on %d group(s) of %d rank(s)\n",
                plan.runs.size(), plan.runs.size() / static_cast<std::size_t>(plan.seeds),
                plan.seeds, n_groups, plan.ranks_per_run);

  // status[i]: "" for a complete run, else the reason; known on the owning group's ranks.
  std::vector<std::string> status(plan.runs.size());
  std::vector<ExitCode> codes(plan.runs.size(), ExitCode::ok);
  for (std::size_t i = static_cast<std::size_t>(color); i < plan.runs.size();
       i += static_cast<std::size_t>(n_groups)) {
    // A sweep killed and started again skips the runs whose part file is complete.
    const bool finished =
        group->broadcast(
            group->rank() == 0 &&
                    is_finished_run(configs[i].output.file, configs[i].text, configs[i].overrides)
                ? "1"
                : "0",
            0) == "1";
    if (finished) {
      if (talk)
        std::printf("  %s: finished by an earlier sweep (%s), skipped\n",
                    describe_run(plan, plan.runs[i]).c_str(), configs[i].output.file.c_str());
      continue;
    }
    const RunOutcome outcome = simulate_to_file(configs[i], *group, threads, launch, {}, {});
    codes[i] = outcome.code;
    status[i] = outcome.code == ExitCode::ok ? "" : outcome.error;
    if (talk) {
      if (outcome.code == ExitCode::ok)
        std::printf("  %s: %llu spikes, %.2f s\n", describe_run(plan, plan.runs[i]).c_str(),
                    static_cast<unsigned long long>(outcome.summary.spikes),
                    outcome.summary.loop_seconds);
      else
        std::printf("  %s: FAILED: %s\n", describe_run(plan, plan.runs[i]).c_str(),
                    outcome.error.c_str());
      std::fflush(stdout);
    }
  }

  // Every rank learns every run's status from the first rank of the group that ran it.
  SweepIndex index;
  ExitCode worst = ExitCode::ok;
  for (std::size_t i = 0; i < plan.runs.size(); ++i) {
    const int owner = static_cast<int>(i % static_cast<std::size_t>(n_groups)) * plan.ranks_per_run;
    const std::string code = comm.broadcast(std::to_string(static_cast<int>(codes[i])), owner);
    const std::string reason = comm.broadcast(status[i], owner);
    const auto run_code = static_cast<ExitCode>(std::stoi(code));
    if (worst == ExitCode::ok) worst = run_code;
    const SweepRun& run = plan.runs[i];
    index.names.push_back(run.name);
    index.seeds.push_back(run.seed);
    index.complete.push_back(run_code == ExitCode::ok ? 1 : 0);
    index.errors.push_back(reason);
    index.values.push_back(run.values);
    // A run that could not create its file (bad_input) or write it (io_error) left none; a
    // blown-up or stopped one left a partial file, copied so the failure can be inspected.
    const std::string part = configs[i].output.file;
    const bool no_part = run_code == ExitCode::bad_input || run_code == ExitCode::io_error;
    index.part_files.push_back(no_part ? "" : part);
  }
  index.keys = plan.keys;
  index.config_text = base->text;
  index.overrides = base->overrides;
  index.ranks = comm.size();
  index.ranks_per_run = plan.ranks_per_run;
  index.threads = threads;

  std::string merge_error;
  if (comm.rank() == 0) {
    try {
      write_sweep_file(output, index);
    } catch (const std::exception& e) {
      merge_error = e.what();
    }
    if (merge_error.empty() && !options.keep_parts) {
      std::error_code ec;
      std::filesystem::remove_all(parts, ec);
      if (ec)
        std::fprintf(stderr, "myelin: warning: could not delete %s (%s)\n", parts.c_str(),
                     ec.message().c_str());
    }
  }
  merge_error = comm.broadcast(merge_error, 0);
  if (!merge_error.empty()) {
    print_error(comm, "writing the sweep file " + output + ": " + merge_error);
    return ExitCode::internal;
  }
  if (!options.run.quiet && comm.rank() == 0) {
    std::size_t failed = 0;
    for (const int c : index.complete) failed += c == 1 ? 0 : 1;
    std::printf("sweep: %zu run(s), %zu failed -> %s (complete)\n", plan.runs.size(), failed,
                output.c_str());
  }
  return worst;
}

}  // namespace myelin
