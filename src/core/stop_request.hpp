#pragma once

// Stop requests from signals. SIGTERM (a job's time limit), SIGINT (Ctrl-C) and SIGUSR1 (what
// `mpirun` forwards, and `scancel --signal=USR1`) set a flag in an async-signal-safe handler; the
// epoch loop reads it once per epoch and agrees on it across ranks in the epoch's first
// collective, so every rank stops after the same epoch. A second signal of the same kind
// terminates the process at once (the handler restores the default action).

#include <string>

namespace myelin {

// Installs the handlers (main, once, after MPI_Init so that they are not replaced).
void install_stop_handlers();

// The first stop signal received (0 when none).
int pending_stop_signal();

// Sets the flag as the handler would (tests); 0 clears it.
void request_stop(int signal);

// "SIGTERM", "SIGINT", "SIGUSR1", else "signal N".
std::string signal_name(int signal);

}  // namespace myelin
