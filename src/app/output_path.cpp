#include "app/output_path.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace myelin {

std::string output_path_problem(const std::string& path) {
  namespace fs = std::filesystem;
  if (path.empty()) return "must not be empty";
  std::error_code ec;
  const fs::path p(path);
  if (fs::is_directory(p, ec)) return "is a directory";
  const fs::path dir = p.has_parent_path() ? p.parent_path() : fs::path(".");
  if (!fs::is_directory(dir, ec)) return "directory '" + dir.string() + "' does not exist";
  if (access(dir.c_str(), W_OK) != 0)
    return "directory '" + dir.string() + "' is not writable (" + std::strerror(errno) + ")";
  if (fs::exists(p, ec) && access(p.c_str(), W_OK) != 0)
    return std::string("file is not writable (") + std::strerror(errno) + ")";
  return {};
}

}  // namespace myelin
