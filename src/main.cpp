// myelin: command line entry point. Every rank parses the same arguments and runs the same
// command; commands agree on errors before any collective, so a bad input never hangs a rank.

#include <CLI/CLI.hpp>
#include <cstdio>
#include <exception>
#include <new>

#include "app/commands.hpp"
#include "comm/mpi_communicator.hpp"
#include "comm/mpi_environment.hpp"
#include "core/stop_request.hpp"
#include "myelin/version.hpp"

namespace {

int parse_and_run(int argc, char** argv, myelin::Communicator& comm) {
  using myelin::ExitCode;
  CLI::App app{
      "Myelin: spiking neural networks on laptops and clusters (MPI x OpenMP, one HDF5 file)"};
  app.set_version_flag("--version",
                       std::string(myelin::version_string) + " (" + myelin::git_sha + ")");
  app.require_subcommand(1);

  myelin::RunOptions run;
  auto* run_cmd = app.add_subcommand("run", "simulate a network and write one HDF5 result file");
  run_cmd->add_option("CONFIG", run.config_path, "TOML config file")->required();
  run_cmd->add_option("-o,--output", run.output, "result file (overrides output.file)");
  run_cmd->add_option("--set", run.overrides,
                      "override a config key: dotted.key=value (repeatable)");
  run_cmd->add_option("--threads", run.threads,
                      "OpenMP threads per rank (default: config, then OMP_NUM_THREADS)");
  run_cmd->add_flag("-q,--quiet", run.quiet, "no progress line and no summary");
  run_cmd->add_option("--summary-json", run.summary_json,
                      "also write the summary as JSON to this file");
  run_cmd->add_option("--dry-run-ranks", run.dry_run_ranks,
                      "play rank 0 of an R-rank job in this one process (its share only, the "
                      "other ranks' spikes synthesised) and report the per-epoch costs; no file");
  run_cmd->add_option("--checkpoint-every", run.checkpoints.every_ms,
                      "write a checkpoint every T ms of simulated time (and on SIGTERM/SIGUSR1)");
  run_cmd->add_option(
      "--checkpoint", run.checkpoints.path,
      "checkpoint file (default OUTPUT.ckpt.h5; alone: on a signal and at the end)");

  myelin::ResumeOptions resume;
  auto* resume_cmd =
      app.add_subcommand("resume", "continue a run from a checkpoint, on any ranks x threads");
  resume_cmd->add_option("CHECKPOINT", resume.checkpoint, "checkpoint file")->required();
  resume_cmd->add_option("-o,--output", resume.output,
                         "result file for the continuation (default OUTPUT.from<T>ms.h5)");
  resume_cmd->add_option("--t-stop", resume.t_stop, "end of the run [ms] (default: the config's)");
  resume_cmd->add_option("--threads", resume.threads, "OpenMP threads per rank");
  resume_cmd->add_option("--checkpoint-every", resume.checkpoints.every_ms,
                         "write a checkpoint every T ms of simulated time");
  resume_cmd->add_option("--checkpoint", resume.checkpoints.path,
                         "where to write checkpoints (default: over CHECKPOINT)");
  resume_cmd->add_flag("--append", resume.append,
                       "continue the checkpoint's result file (cut back to the checkpoint's "
                       "time) instead of writing a new one");
  resume_cmd->add_flag("-q,--quiet", resume.quiet, "no progress line and no summary");
  resume_cmd->add_option("--summary-json", resume.summary_json,
                         "also write the summary as JSON to this file");

  myelin::RunOptions check;
  auto* validate_cmd =
      app.add_subcommand("validate", "check a config (and output path) without simulating");
  validate_cmd->add_option("CONFIG", check.config_path, "TOML config file")->required();
  validate_cmd->add_option("-o,--output", check.output, "result file (overrides output.file)");
  validate_cmd->add_option("--set", check.overrides,
                           "override a config key: dotted.key=value (repeatable)");
  validate_cmd->add_flag("-q,--quiet", check.quiet, "print nothing; the exit code says it");

  myelin::SweepOptions sweep;
  auto* sweep_cmd = app.add_subcommand(
      "sweep", "run a grid of configs x seeds, in groups of ranks, into one HDF5 file");
  sweep_cmd->add_option("CONFIG", sweep.run.config_path, "TOML config file")->required();
  sweep_cmd->add_option("-o,--output", sweep.run.output, "sweep file (overrides output.file)");
  sweep_cmd->add_option("--set", sweep.run.overrides,
                        "override a config key for every run: dotted.key=value (repeatable)");
  sweep_cmd->add_option("--vary", sweep.vary,
                        "sweep a key over values: dotted.key=v1,v2,... (repeatable: a grid)");
  sweep_cmd->add_option("--seeds", sweep.seeds,
                        "runs per grid point, seeds simulation.seed + 0, 1, ... (default 1)");
  sweep_cmd->add_option("--ranks-per-run", sweep.ranks_per_run,
                        "ranks that simulate one run together (default 1; divides the ranks)");
  sweep_cmd->add_option("--threads", sweep.run.threads, "OpenMP threads per rank");
  sweep_cmd->add_flag("--keep-parts", sweep.keep_parts,
                      "keep the per-run files in OUTPUT.parts/ after merging");
  sweep_cmd->add_flag("-q,--quiet", sweep.run.quiet, "print nothing but errors");

  std::string info_path;
  auto* info_cmd = app.add_subcommand("info", "summarise a result file");
  info_cmd->add_option("FILE", info_path, "HDF5 result file")->required();

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // Every rank parsed the same argv, so every rank takes the same branch.
    if (comm.rank() == 0) app.exit(e);
    return e.get_exit_code() == 0 ? 0 : static_cast<int>(ExitCode::bad_input);
  }
  run.output_given = run_cmd->count("--output") > 0;
  check.output_given = validate_cmd->count("--output") > 0;
  sweep.run.output_given = sweep_cmd->count("--output") > 0;
  resume.output_given = resume_cmd->count("--output") > 0;
  resume.checkpoints.quiet = resume.quiet;
  run.checkpoints.quiet = run.quiet;
  if (*resume_cmd) return static_cast<int>(myelin::resume_command(resume, comm));
  if (*run_cmd) return static_cast<int>(myelin::run_command(run, comm));
  if (*sweep_cmd) return static_cast<int>(myelin::sweep_command(sweep, comm));
  if (*validate_cmd) return static_cast<int>(myelin::validate_command(check, comm));
  return static_cast<int>(myelin::info_command(info_path, comm));
}

// An allocation failed on this rank, possibly while others are inside a collective: one
// process prints and exits; with more ranks only an abort cannot hang (the launcher reports it).
int out_of_memory(myelin::Communicator& comm, const std::string& what) {
  const std::string message =
      what.starts_with("out of memory") ? what : "out of memory while " + what;
  std::fprintf(stderr, "myelin: error: %s (rank %d)\n", message.c_str(), comm.rank());
  std::fflush(stderr);
  const int code = static_cast<int>(myelin::ExitCode::out_of_memory);
  if (comm.size() > 1) myelin::MpiEnvironment::abort_all(code);
  return code;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    myelin::MpiEnvironment environment(argc, argv);
    auto comm = myelin::MpiCommunicator::world();
    myelin::install_stop_handlers();
    try {
      return parse_and_run(argc, argv, comm);
    } catch (const std::bad_alloc&) {
      return out_of_memory(comm, "running");
    } catch (const myelin::OutOfMemory& e) {
      return out_of_memory(comm, e.what());
    } catch (const myelin::MpiError& e) {
      // The other ranks are likely stuck in, or gone from, the same collective.
      std::fprintf(stderr, "myelin: error: communication failed on rank %d: %s\n", comm.rank(),
                   e.what());
      std::fflush(stderr);
      myelin::MpiEnvironment::abort_all(static_cast<int>(myelin::ExitCode::communication));
    } catch (const std::exception& e) {
      // Unexpected: other ranks may be inside a collective, so only an abort cannot hang.
      std::fprintf(stderr, "myelin: internal error on rank %d: %s\n", comm.rank(), e.what());
      std::fflush(stderr);
      myelin::MpiEnvironment::abort_all(static_cast<int>(myelin::ExitCode::internal));
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "myelin: internal error: %s\n", e.what());
  }
  return static_cast<int>(myelin::ExitCode::internal);
}
