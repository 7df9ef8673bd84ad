#pragma once

// Who started this process, as the job scripts and the scaling collector want it recorded:
// the SLURM job id and the launcher. Read from the environment once, by the app layer.

#include <string>

namespace myelin {

struct LaunchEnvironment {
  std::string job_id;    // $SLURM_JOB_ID, or "none"
  std::string launcher;  // $MYELIN_LAUNCHER, else guessed: srun, mpirun or direct
};

LaunchEnvironment launch_environment();

}  // namespace myelin
