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
    case absl::StatusCode::kDataLoss:
      throw pybind11::value_error(message);
    case absl::StatusCode::kUnimplemented:
      PyErr_SetString(PyExc_NotImplementedError, message.c_str());
      throw pybind11::error_already_set();
    case absl::StatusCode::kPermissionDenied:
      PyErr_SetString(PyExc_PermissionError, message.c_str());
      throw pybind11::error_already_set();
    default:
      throw std::runtime_error(message);  // pybind11 raises RuntimeError
  }
}

}  // namespace ttt::python
