#pragma once

#include <memory>
#include <string>

#include "comm/communicator.hpp"
#include "io/result_file.hpp"

namespace myelin {

// Opens the result file on the communicator's ranks (collective). Throws InputError on every
// rank when the path cannot be created.
std::unique_ptr<ResultFile> create_result_file(const std::string& path, Communicator& comm);
// Opens the existing result file `path` to continue it from `t_ms` (collective; see ResultFile's
// AppendAt constructor). Throws InputError on every rank when it cannot.
std::unique_ptr<ResultFile> open_result_file_for_append(const std::string& path, Communicator& comm,
                                                        double t_ms);

}  // namespace myelin
