#pragma once

// RAII for HDF5 identifiers, and HDF5 failures turned into exceptions that name the call, the
// object and HDF5's own innermost reason.

#include <hdf5.h>

#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

#ifndef H5_HAVE_PARALLEL
#error "Myelin needs parallel HDF5 (libhdf5-openmpi-dev); the serial libhdf5-dev is not enough"
#endif

namespace myelin {

// HDF5 prints its error stack to stderr by default, once per rank; Myelin reports failures as
// exceptions instead (h5_error reads the stack).
inline void h5_silence_errors() {
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
}

// The path of an open object, for messages ("" when HDF5 cannot tell). Asking is itself an
// HDF5 call, which clears the error stack: the stack is kept aside, so a message may be built
// after the failure it reports.
inline std::string h5_name(hid_t object) {
  const hid_t saved = H5Eget_current_stack();
  std::string name;
  const ssize_t length = H5Iget_name(object, nullptr, 0);
  if (length > 0) {
    name.resize(static_cast<std::size_t>(length) + 1);
    H5Iget_name(object, name.data(), name.size());
    name.resize(static_cast<std::size_t>(length));
  }
  if (saved >= 0) H5Eset_current_stack(saved);
  return name;
}

// The innermost message of the current error stack (the most specific reason), which is then
// cleared.
inline std::string h5_error_reason() {
  std::string reason;
  H5Ewalk2(
      H5E_DEFAULT, H5E_WALK_UPWARD,
      [](unsigned n, const H5E_error2_t* error, void* out) -> herr_t {
        if (n == 0 && error->desc != nullptr) *static_cast<std::string*>(out) = error->desc;
        return 0;
      },
      &reason);
  H5Eclear2(H5E_DEFAULT);
  return reason;
}

inline std::runtime_error h5_error(std::string_view call, std::string_view object) {
  std::string message = "HDF5: ";
  message.append(call).append("(").append(object).append(") failed");
  const std::string reason = h5_error_reason();
  if (!reason.empty()) message += ": " + reason;
  return std::runtime_error(message);
}

inline void h5_check(herr_t code, std::string_view call, std::string_view object) {
  if (code < 0) throw h5_error(call, object);
}

// Owns one identifier and closes it with the function that matches its kind.
class H5Handle {
 public:
  using Closer = herr_t (*)(hid_t);

  H5Handle() = default;
  // A negative id is the failure of `call` on `object`: throws, owning nothing.
  H5Handle(hid_t id, Closer closer, std::string_view call, std::string_view object)
      : id_(id), closer_(closer) {
    if (id < 0) throw h5_error(call, object);
  }
  H5Handle(H5Handle&& other) noexcept : id_(std::exchange(other.id_, -1)), closer_(other.closer_) {}
  H5Handle& operator=(H5Handle&& other) noexcept {
    if (this != &other) {
      reset();
      id_ = std::exchange(other.id_, -1);
      closer_ = other.closer_;
    }
    return *this;
  }
  H5Handle(const H5Handle&) = delete;
  H5Handle& operator=(const H5Handle&) = delete;
  ~H5Handle() { reset(); }

  // Closes, ignoring failure: for destructors and unwinding.
  void reset() noexcept {
    if (id_ >= 0 && closer_ != nullptr) closer_(id_);
    id_ = -1;
  }
  // Closes and throws on failure: for closes whose success matters (the file after a run).
  void close(std::string_view object) {
    const hid_t id = std::exchange(id_, -1);
    if (id >= 0 && closer_ != nullptr && closer_(id) < 0) throw h5_error("close", object);
  }
  // Gives up ownership without closing.
  hid_t release() noexcept { return std::exchange(id_, -1); }

  bool valid() const { return id_ >= 0; }
  hid_t get() const { return id_; }
  operator hid_t() const { return id_; }  // NOLINT: handles pass straight to the C API

 private:
  hid_t id_ = -1;
  Closer closer_ = nullptr;
};

}  // namespace myelin
