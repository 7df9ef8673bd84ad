#pragma once

#include <string>

namespace myelin {

// Why `path` cannot be created as an output file (missing directory, not writable, is a
// directory), or an empty string when it can. Creates nothing.
std::string output_path_problem(const std::string& path);

}  // namespace myelin
