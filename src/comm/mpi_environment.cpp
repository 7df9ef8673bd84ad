#include "comm/mpi_environment.hpp"

#include <mpi.h>

#include <cstdlib>
#include <exception>
#include <stdexcept>

#include "comm/mpi_communicator.hpp"
#include "myelin/errors.hpp"

namespace myelin {

MpiEnvironment::MpiEnvironment(int& argc, char**& argv) : uncaught_(std::uncaught_exceptions()) {
  int provided = 0;
  // Only the master thread of the OpenMP team calls MPI (inside `single`/`master` regions).
  if (MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS)
    throw MpiError("MPI_Init_thread failed");
  if (provided < MPI_THREAD_FUNNELED)
    throw MpiError("MPI_Init_thread: this MPI does not provide MPI_THREAD_FUNNELED");
  check_mpi(MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN), "MPI_Comm_set_errhandler");
}

void MpiEnvironment::abort_all(int code) {
  MPI_Abort(MPI_COMM_WORLD, code);
  std::abort();
}

MpiEnvironment::~MpiEnvironment() {
  if (std::uncaught_exceptions() > uncaught_) return;
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (!finalized) MPI_Finalize();
}

}  // namespace myelin
