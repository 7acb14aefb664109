#include "python/src/status.h"

#include <string>

#include <pybind11/pybind11.h>

namespace ttt::python {

void ThrowStatus(const absl::Status& status) {
  const std::string message(status.message());
  switch (status.code()) {
    case absl::StatusCode::kNotFound:
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kOutOfRange:
    case absl::StatusCode::kFailedPrecondition:
      throw pybind11::value_error(message);
    default:
      throw std::runtime_error(message);  // pybind11 raises RuntimeError
  }
}

}  // namespace ttt::python
