#include "myelin/errors.hpp"

namespace myelin {

InputError input_error(const std::string& key, const std::string& value,
                       const std::string& reason) {
  return InputError(key + " = " + value + ": " + reason);
}

}  // namespace myelin
