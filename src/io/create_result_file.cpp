#include "io/create_result_file.hpp"

#include "comm/mpi_communicator.hpp"

namespace myelin {

std::unique_ptr<ResultFile> create_result_file(const std::string& path, Communicator& comm) {
  // A LocalCommunicator is one rank on its own: the file belongs to this process alone.
  const auto* mpi = dynamic_cast<const MpiCommunicator*>(&comm);
  return std::make_unique<ResultFile>(path, mpi != nullptr ? mpi->native() : MPI_COMM_SELF);
}

}  // namespace myelin
