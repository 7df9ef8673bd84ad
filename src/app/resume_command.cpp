// `myelin resume CHECKPOINT`: continues a run from a checkpoint on any number of ranks and
// threads. The network is rebuilt from the config the checkpoint carries (construction is the
// same for every split, so it is the network the checkpoint was made on) and only the dynamic
// state is loaded: the file stays a fraction of the network's size, and nothing about the old
// decomposition survives into the new run.

#include <sys/stat.h>

#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>
#include <utility>

#include "app/agreement.hpp"
#include "app/checkpoint_options.hpp"
#include "app/command_setup.hpp"
#include "app/commands.hpp"
#include "app/launch_environment.hpp"
#include "app/output_path.hpp"
#include "app/progress.hpp"
#include "app/simulate_run.hpp"
#include "app/summary.hpp"
#include "config/config_hash.hpp"
#include "config/config_parser.hpp"
#include "io/checkpoint_file.hpp"
#include "io/output_commit.hpp"
#include "io/result_file.hpp"
#include "myelin/version.hpp"
#include "sim/state_store.hpp"

namespace myelin {

namespace {

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

std::string format_ms(double t) {
  char text[64];
  std::snprintf(text, sizeof text, "%.17g", t);
  return text;
}

struct Resumable {
  Config config;
  double t_ms = 0.0;
  std::string append_from;  // --append: the existing result file to continue
};

// --append (rank 0): which file continues the run the checkpoint belongs to, and why it cannot
// ("" when it can). A run killed before its end left `FILE.partial` (the newest data: a run
// that ends, however it ends short of a kill, renames it over FILE), a run stopped by a signal
// or a blow-up left FILE with complete = 0.
std::pair<std::string, std::string> append_target(const std::string& original,
                                                  const std::string& checkpoint_hash, double t_ms) {
  struct stat status {};
  const std::string partial = partial_path(original);
  const std::string path = ::stat(partial.c_str(), &status) == 0 ? partial : original;
  if (::stat(path.c_str(), &status) != 0)
    return {original, "the checkpoint's result file is missing (neither it nor " + partial +
                          " exists): there is nothing to append to (resume without --append "
                          "writes a new file)"};
  const ResultFileHeader header = read_result_header(path);
  if (!header.problem.empty()) return {path, header.problem};
  // A complete file takes an append only as an extension: it ends where the checkpoint is (a
  // run to its t_stop, continued with a later --t-stop). Anything else would redo what it holds.
  // (t_ms is a step count times dt, t_stop as configured: equal within half a step.)
  if (header.complete && !(std::abs(header.t_stop - t_ms) <= 0.5 * header.dt))
    return {path, "already complete (to t = " + format_ms(header.t_stop) +
                      " ms): nothing to append from the checkpoint's " + format_ms(t_ms) +
                      " ms (resume without --append writes the continuation to a new file)"};
  if (header.version != version_string)
    return {path, "written by Myelin " + header.version + ", this is Myelin " + version_string};
  if (config_hash(header.config_text, split_lines(header.overrides), header.version) !=
      checkpoint_hash)
    return {path,
            "written for another config (its /meta config and overrides are not the "
            "checkpoint's)"};
  if (header.t_start > t_ms)
    return {path, "starts at t = " + format_ms(header.t_start) + " ms, after the checkpoint's " +
                      format_ms(t_ms) + " ms"};
  return {path, ""};
}

// Reads and checks what the checkpoint says about itself, and makes the config to continue
// with. InputError (key "checkpoint" or the flag) on every rank when it does not fit.
Resumable open_checkpoint(const ResumeOptions& options, CheckpointReader& in, Communicator& comm) {
  const auto refuse = [&](const std::string& reason) {
    return input_error("checkpoint", options.checkpoint, reason);
  };
  if (!in.has_attribute("format") || in.string_attribute("format") != "myelin-checkpoint")
    throw refuse("not a Myelin checkpoint");
  const std::uint64_t format = in.uint_attribute("format_version");
  if (format != checkpoint_format_version)
    throw refuse("checkpoint format " + std::to_string(format) + ", this Myelin reads format " +
                 std::to_string(checkpoint_format_version));
  const std::string version = in.string_attribute("myelin_version");
  if (version != version_string)
    throw refuse("made by Myelin " + version + ", this is Myelin " + version_string +
                 " (resume with the version that wrote it)");
  const std::string text = in.string_attribute("config_text");
  std::vector<std::string> overrides = split_lines(in.string_attribute("config_overrides"));
  if (config_hash(text, overrides, version) != in.string_attribute("config_hash"))
    throw refuse("corrupt (its config does not match its config hash)");

  Resumable r;
  r.t_ms = in.real_attribute("t_ms");
  if (options.t_stop) {
    if (!std::isfinite(*options.t_stop) || *options.t_stop <= r.t_ms)
      throw input_error("--t-stop", format_ms(*options.t_stop),
                        "must be after the checkpoint's time, " + format_ms(r.t_ms) + " ms");
    overrides.push_back("simulation.t_stop=" + format_ms(*options.t_stop));
  }
  r.config = parse_config(text, overrides);
  if (!options.t_stop && r.config.simulation.t_stop <= r.t_ms)
    throw refuse("the run is already complete at t = " + format_ms(r.t_ms) +
                 " ms (extend it with --t-stop)");
  if (options.output_given && options.output.empty())
    throw input_error("-o", "\"\"", "must not be empty (the result file)");
  if (options.append) {
    const std::string original = in.string_attribute("result_file");
    if (options.output_given)
      throw input_error("-o", options.output,
                        "cannot be combined with --append (which continues the checkpoint's "
                        "result file, " +
                            original + ")");
    r.config.output.file = original;
    const std::string hash = in.string_attribute("config_hash");  // collective
    auto [path, problem] = comm.rank() == 0 ? append_target(original, hash, r.t_ms)
                                            : std::pair<std::string, std::string>{};
    path = comm.broadcast(path, 0);
    problem = comm.broadcast(problem, 0);
    if (!problem.empty()) throw input_error("--append", path, problem);
    r.append_from = path;
  } else if (options.output_given) {
    r.config.output.file = options.output;
  } else {
    const std::string original = in.string_attribute("result_file");
    const std::string stem =
        original.ends_with(".h5") ? original.substr(0, original.size() - 3) : original;
    r.config.output.file = stem + ".from" + format_ms(r.t_ms) + "ms.h5";
  }
  if (!options.summary_json.empty()) {
    const std::string json_problem =
        comm.broadcast(comm.rank() == 0 ? output_path_problem(options.summary_json) : "", 0);
    if (!json_problem.empty())
      throw input_error("--summary-json", options.summary_json,
                        "cannot create (" + json_problem + ")");
  }
  if (options.threads < 0 || options.threads > 4096)
    throw input_error("--threads", std::to_string(options.threads), "must be in [1, 4096]");
  const std::string problem = comm.broadcast(
      comm.rank() == 0 ? output_path_problem(r.config.output.file) : std::string(), 0);
  if (!problem.empty())
    throw input_error("-o", r.config.output.file, "cannot create (" + problem + ")");
  return r;
}

}  // namespace

ExitCode resume_command(const ResumeOptions& options, Communicator& comm) {
  std::unique_ptr<CheckpointReader> reader;
  Resumable resumable;
  CheckpointSetup setup;
  if (auto error = agreed_error(comm, [&] {
        reader = std::make_unique<CheckpointReader>(options.checkpoint, comm);
        resumable = open_checkpoint(options, *reader, comm);
        setup =
            checkpoint_setup(options.checkpoints, resumable.config, true, options.checkpoint, comm);
      })) {
    print_error(comm, *error);
    return ExitCode::bad_input;
  }
  const Config& config = resumable.config;
  RunOptions run;
  run.threads = options.threads;
  const int threads = resolve_threads(run, config);
  setup.resumed_from = options.checkpoint;
  setup.append_from = resumable.append_from;
  setup.append_at_ms = resumable.t_ms;
  setup.restore = [&](Simulation& sim) {
    const auto start = std::chrono::steady_clock::now();
    sim.restore(*reader);
    reader.reset();  // closed before this run writes its own checkpoints over the same path
    const double seconds =
        comm.max(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    if (comm.rank() == 0 && !options.quiet)
      std::fprintf(stderr, "myelin: state restored from %s in %.3g s\n", options.checkpoint.c_str(),
                   seconds);
  };
  if (comm.rank() == 0 && !options.quiet)
    std::fprintf(
        stderr, "myelin: resuming %s at t = %g ms on %d rank(s) x %d thread(s) -> %s%s\n",
        options.checkpoint.c_str(), resumable.t_ms, comm.size(), threads,
        config.output.file.c_str(),
        resumable.append_from.empty()
            ? ""
            : (" (appending to " + resumable.append_from + ", cut back to that time)").c_str());

  const LaunchEnvironment launch = launch_environment();
  ProgressLine progress(comm.rank() == 0 && !options.quiet, config.progress_interval);
  const RunOutcome outcome = simulate_to_file(
      config, comm, threads, launch, std::ref(progress),
      [&](const RunSummary& summary, const Simulation& sim) {
        progress.finish();
        const RunContext context{config,         sim.network(),      comm.size(),
                                 threads,        config.output.file, launch.job_id,
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
      setup);
  progress.finish();
  if (outcome.code != ExitCode::ok) print_error(comm, outcome.error);
  return outcome.code;
}

}  // namespace myelin
