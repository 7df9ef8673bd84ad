#include "app/simulate_run.hpp"

#include "app/agreement.hpp"
#include "io/create_result_file.hpp"
#include "myelin/version.hpp"

namespace myelin {

RunOutcome simulate_to_file(const Config& config, Communicator& comm, int threads,
                            const LaunchEnvironment& launch, const ProgressFn& progress,
                            const FinishedFn& on_finished) {
  RunOutcome outcome;
  Simulation sim(config, comm, threads);

  std::unique_ptr<ResultFile> file;
  if (auto error =
          agreed_error(comm, [&] { file = create_result_file(config.output.file, comm); })) {
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
  info.min_delay = static_cast<double>(sim.network().min_delay) * config.simulation.dt;
  info.job_id = launch.job_id;
  info.launcher = launch.launcher;
  file->write_run_info(info);
  file->write_network(sim.network().projections, sim.network().partition);

  try {
    outcome.summary = sim.run(*file, progress);
  } catch (const NumericalError& e) {
    file.reset();  // closes without marking the file complete
    outcome.code = ExitCode::numerical;
    outcome.error = e.what();
    return outcome;
  }
  if (on_finished && comm.rank() == 0) on_finished(outcome.summary, sim);
  return outcome;
}

}  // namespace myelin
