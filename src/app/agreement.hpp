#pragma once

// Errors agreed on before any collective that could hang: a step runs on every rank; if it
// throws InputError on any rank, every rank learns the lowest failing rank's message.

#include <functional>
#include <optional>
#include <string>

#include "comm/communicator.hpp"
#include "myelin/errors.hpp"

namespace myelin {

// The agreed error message, identical on every rank, or nullopt when `step` succeeded everywhere.
inline std::optional<std::string> agreed_error(Communicator& comm,
                                               const std::function<void()>& step) {
  std::string message;
  bool ok = true;
  try {
    step();
  } catch (const InputError& e) {
    ok = false;
    message = e.what();
  }
  const int failed = comm.first_failed_rank(!ok);
  if (failed < 0) return std::nullopt;
  return comm.broadcast(message, failed);
}

// Prints `myelin: error: <message>` once (rank 0).
void print_error(Communicator& comm, const std::string& message);

// The value of `step` on every rank, or nullopt everywhere after printing the agreed error.
template <typename T>
std::optional<T> agreed(Communicator& comm, const std::function<T()>& step) {
  std::optional<T> value;
  if (auto error = agreed_error(comm, [&] { value = step(); })) {
    print_error(comm, *error);
    return std::nullopt;
  }
  return value;
}

}  // namespace myelin
