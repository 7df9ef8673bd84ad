#pragma once

#include <memory>
#include <string>

#include "comm/communicator.hpp"
#include "io/result_file.hpp"

namespace myelin {

// Opens the result file on the communicator's ranks (collective). Throws InputError on every
// rank when the path cannot be created.
std::unique_ptr<ResultFile> create_result_file(const std::string& path, Communicator& comm);

}  // namespace myelin
