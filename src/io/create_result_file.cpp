#include "io/create_result_file.hpp"

namespace myelin {

std::unique_ptr<ResultFile> create_result_file(const std::string& path, Communicator& comm) {
  return std::make_unique<ResultFile>(path, comm);
}

std::unique_ptr<ResultFile> open_result_file_for_append(const std::string& path, Communicator& comm,
                                                        double t_ms) {
  return std::make_unique<ResultFile>(path, comm, AppendAt{t_ms});
}

}  // namespace myelin
