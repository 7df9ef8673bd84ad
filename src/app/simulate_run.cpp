#include "app/simulate_run.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <new>

#include "app/agreement.hpp"
#include "io/checkpoint_file.hpp"
#include "io/create_result_file.hpp"
#include "io/output_commit.hpp"
#include "myelin/version.hpp"

namespace myelin {

namespace {

// Runs `step`; an allocation failure in it becomes OutOfMemory naming `phase`.
template <typename F>
decltype(auto) in_phase(const char* phase, F&& step) {
  try {
    return step();
  } catch (const std::bad_alloc&) {
    throw OutOfMemory(phase);
  }
}

// Rank 0 renames the finished file over the output path; every rank learns the verdict.
void commit(Communicator& comm, const std::string& partial, const std::string& path) {
  std::string error;
  if (comm.rank() == 0) {
    try {
      commit_output(partial, path);
    } catch (const IoError& e) {
      error = e.what();
    }
  }
  error = comm.broadcast(error, 0);
  if (!error.empty()) throw IoError(error);
}

}  // namespace

RunOutcome simulate_to_file(const Config& config, Communicator& comm, int threads,
                            const LaunchEnvironment& launch, const ProgressFn& progress,
                            const FinishedFn& on_finished, const CheckpointSetup& checkpoints) {
  RunOutcome outcome;
  const std::string& path = config.output.file;
  const std::string partial = partial_path(path);

  // Before any work, so that a second run on the same path fails at once.
  OutputLock lock;
  {
    ExitCode code = ExitCode::ok;
    std::string error;
    if (comm.rank() == 0) {
      try {
        lock = OutputLock(path, close_reserve_bytes);
      } catch (const InputError& e) {
        code = ExitCode::bad_input;
        error = e.what();
      } catch (const IoError& e) {  // the disk is already full
        code = ExitCode::io_error;
        error = e.what();
      }
    }
    error = comm.broadcast(error, 0);
    code =
        static_cast<ExitCode>(std::stoi(comm.broadcast(std::to_string(static_cast<int>(code)), 0)));
    if (code != ExitCode::ok) {
      outcome.code = code;
      outcome.error = error;
      return outcome;
    }
  }

  // What the build refuses (a drawn plastic delay beyond 16 bits, ...) is refused by every rank
  // after the same collective, so it is bad input everywhere, not an internal error.
  std::unique_ptr<Simulation> sim;
  try {
    sim = in_phase("building the network",
                   [&] { return std::make_unique<Simulation>(config, comm, threads); });
  } catch (const InputError& e) {
    outcome.code = ExitCode::bad_input;
    outcome.error = e.what();
    return outcome;
  }
  if (checkpoints.restore) {
    if (auto error = agreed_error(comm, [&] { checkpoints.restore(*sim); })) {
      outcome.code = ExitCode::bad_input;
      outcome.error = *error;
      return outcome;
    }
  }
  CheckpointPlan plan = checkpoints.plan;
  plan.open_writer = [&comm](const std::string& checkpoint) -> std::unique_ptr<StateWriter> {
    return std::make_unique<CheckpointWriter>(checkpoint, comm);
  };
  sim->set_checkpoints(std::move(plan));

  std::unique_ptr<ResultFile> file;
  if (!checkpoints.append_from.empty() && checkpoints.append_from != partial) {
    // Under the lock, so no other run writes either name: the file being continued is the
    // partial file from here on, and a crash leaves it there for the next `resume --append`.
    std::string error;
    if (comm.rank() == 0 && std::rename(checkpoints.append_from.c_str(), partial.c_str()) != 0)
      error = "cannot rename " + checkpoints.append_from + " to " + partial + ": " +
              std::strerror(errno);
    error = comm.broadcast(error, 0);
    if (!error.empty()) {
      outcome.code = ExitCode::io_error;
      outcome.error = error;
      return outcome;
    }
  }
  if (auto error = agreed_error(comm, [&] {
        in_phase("creating the output file", [&] {
          file = checkpoints.append_from.empty()
                     ? create_result_file(partial, comm)
                     : open_result_file_for_append(partial, comm, checkpoints.append_at_ms);
        });
      })) {
    outcome.code = ExitCode::bad_input;
    outcome.error = *error;
    return outcome;
  }

  RunInfo info;
  info.config_text = config.text;
  info.overrides = config.overrides;
  info.seed = config.simulation.seed;
  info.version = version_string;
  info.git_sha = git_sha;
  info.ranks = comm.size();
  info.threads = threads;
  info.dt = config.simulation.dt;
  info.t_stop = config.simulation.t_stop;
  info.min_delay = static_cast<double>(sim->network().min_delay) * config.simulation.dt;
  info.job_id = launch.job_id;
  info.launcher = launch.launcher;
  info.t_start = static_cast<double>(sim->start_step()) * config.simulation.dt;
  info.checkpoint = checkpoints.plan.path;
  info.resumed_from = checkpoints.resumed_from;
  try {
    in_phase("writing the output file", [&] {
      // The superblock on disk at once: a file killed from here on reads back.
      file->flush();
      file->write_run_info(info);
      file->write_network(sim->network().projections, sim->network().partition);
      file->flush();
    });
    outcome.summary = in_phase("simulating", [&] { return sim->run(*file, progress); });
  } catch (const NumericalError& e) {
    outcome.code = ExitCode::numerical;
    outcome.error = e.what();
  } catch (const StopRequested& e) {
    outcome.code = ExitCode::stopped;
    outcome.error = e.what();
  } catch (const InputError& e) {  // an appended file without the run's layout
    outcome.code = ExitCode::bad_input;
    outcome.error = e.what();
  } catch (const IoError& e) {
    // The partial file stays where it is, with what the last good flush wrote; an older result
    // is kept. The reserve gives HDF5 room to write its metadata when it closes the file.
    outcome.code = ExitCode::io_error;
    outcome.error = e.what();
    if (comm.rank() == 0) lock.free_reserve();
    comm.barrier();
    file.reset();
    return outcome;
  }
  if (outcome.code != ExitCode::ok) {
    // Flushed and closed with complete = 0 and the reason; it replaces any older result, so the
    // output path never shows an older run's complete file after this run was asked for.
    try {
      file->close_incomplete(outcome.error);
      commit(comm, partial, path);
    } catch (const IoError& e) {
      outcome.code = ExitCode::io_error;
      outcome.error = e.what();
    }
    return outcome;
  }
  try {
    file.reset();  // closed by mark_complete
    commit(comm, partial, path);
  } catch (const IoError& e) {
    outcome.code = ExitCode::io_error;
    outcome.error = e.what();
    return outcome;
  }
  if (on_finished && comm.rank() == 0) on_finished(outcome.summary, *sim);
  return outcome;
}

}  // namespace myelin
