#include "io/create_result_file.hpp"

namespace myelin {

std::unique_ptr<ResultFile> create_result_file(const std::string& path, Communicator& comm) {
  return std::make_unique<ResultFile>(path, comm);
}

}  // namespace myelin
