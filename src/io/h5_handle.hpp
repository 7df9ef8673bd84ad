#pragma once

#include <hdf5.h>

#include <stdexcept>
#include <string>
#include <utility>

#ifndef H5_HAVE_PARALLEL
#error "Myelin needs parallel HDF5 (libhdf5-openmpi-dev)"
#endif

namespace myelin {

// Owns one HDF5 identifier and closes it with the matching function.
class H5Handle {
 public:
  using Closer = herr_t (*)(hid_t);
  H5Handle() = default;
  H5Handle(hid_t id, Closer closer, const std::string& what) : id_(id), closer_(closer) {
    if (id < 0) throw std::runtime_error("HDF5: cannot " + what);
  }
  H5Handle(H5Handle&& o) noexcept : id_(std::exchange(o.id_, -1)), closer_(o.closer_) {}
  H5Handle& operator=(H5Handle&& o) noexcept {
    reset();
    id_ = std::exchange(o.id_, -1);
    closer_ = o.closer_;
    return *this;
  }
  H5Handle(const H5Handle&) = delete;
  H5Handle& operator=(const H5Handle&) = delete;
  ~H5Handle() { reset(); }
  void reset() {
    if (id_ >= 0 && closer_) closer_(id_);
    id_ = -1;
  }
  hid_t get() const { return id_; }
  operator hid_t() const { return id_; }

 private:
  hid_t id_ = -1;
  Closer closer_ = nullptr;
};

inline void h5_check(herr_t code, const std::string& what) {
  if (code < 0) throw std::runtime_error("HDF5: " + what + " failed");
}

}  // namespace myelin
