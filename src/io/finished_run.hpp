#pragma once

// Whether a result file already holds a finished run of a given config: a sweep that was
// killed and started again skips the runs whose part files say so.

#include <string>
#include <vector>

namespace myelin {

// True when `path` opens, has /meta complete = 1, and its /meta config and overrides are
// `config_text` and `overrides`. Never throws; this process alone (no MPI-IO).
bool is_finished_run(const std::string& path, const std::string& config_text,
                     const std::vector<std::string>& overrides);

}  // namespace myelin
