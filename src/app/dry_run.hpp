#pragma once

#include "app/commands.hpp"

namespace myelin {

// `myelin run CONFIG --dry-run-ranks R`: one process simulates rank 0 of an R-rank job (its
// own share only), with the other ranks' spikes synthesised as images of its own
// (comm/dry_run_exchange.hpp), and reports per epoch what each phase costs this rank at R
// ranks. Writes no result file; --summary-json writes the report as JSON.
ExitCode dry_run_command(const RunOptions& options, Communicator& comm);

}  // namespace myelin
