#include "app/launch_environment.hpp"

#include <cstdlib>

namespace myelin {

namespace {

std::string env(const char* name) {
  const char* value = std::getenv(name);
  return value ? std::string(value) : std::string();
}

}  // namespace

LaunchEnvironment launch_environment() {
  LaunchEnvironment out;
  out.job_id = env("SLURM_JOB_ID");
  if (out.job_id.empty()) out.job_id = "none";
  out.launcher = env("MYELIN_LAUNCHER");
  if (out.launcher.empty()) {
    // jobs/run.sbatch always sets MYELIN_LAUNCHER; these guesses cover hand-typed commands.
    if (!env("SLURM_STEP_ID").empty())
      out.launcher = "srun";
    else if (!env("OMPI_COMM_WORLD_SIZE").empty() || !env("PMI_RANK").empty())
      out.launcher = "mpirun";
    else
      out.launcher = "direct";
  }
  return out;
}

}  // namespace myelin
