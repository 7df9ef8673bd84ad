#pragma once

namespace myelin {

// MPI_Init_thread on construction, MPI_Finalize on destruction, except while an exception
// unwinds (then finalising could hang waiting for ranks that are gone; the launcher cleans
// up after MPI_Abort or exit).
class MpiEnvironment {
 public:
  MpiEnvironment(int& argc, char**& argv);
  ~MpiEnvironment();

  // Ends every rank of the job with `code`: the only safe exit when an unexpected error may
  // have left other ranks waiting inside a collective.
  [[noreturn]] static void abort_all(int code);
  MpiEnvironment(const MpiEnvironment&) = delete;
  MpiEnvironment& operator=(const MpiEnvironment&) = delete;

 private:
  int uncaught_ = 0;
};

}  // namespace myelin
