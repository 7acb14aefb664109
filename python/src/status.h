// absl::Status to Python exceptions, with the library's message unchanged (it already says what, where and
// what to try). Call only with the GIL held.
#pragma once

#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace ttt::python {

// InvalidArgument, OutOfRange, FailedPrecondition, NotFound (an unknown device, a folder without config.json):
// ValueError, the caller's input; anything else: RuntimeError. (Missing files are FileNotFoundError, raised
// before the library is called: see module.cc.)
[[noreturn]] void ThrowStatus(const absl::Status& status);

inline void ThrowIfError(const absl::Status& status) {
  if (!status.ok()) ThrowStatus(status);
}

template <typename T>
T ValueOrThrow(absl::StatusOr<T> value) {
  if (!value.ok()) ThrowStatus(value.status());
  return *std::move(value);
}

}  // namespace ttt::python
