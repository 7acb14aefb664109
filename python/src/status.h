// absl::Status to Python exceptions, with the library's message unchanged (it already says what, where and
// what to try). Call only with the GIL held.
#pragma once

#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace ttt::python {

// The caller's input - InvalidArgument, OutOfRange, FailedPrecondition, NotFound (an unknown device, a folder
// without config.json), DataLoss (a truncated or corrupt file): ValueError. Unimplemented (an architecture or
// tensor type the library does not run): NotImplementedError; PermissionDenied: PermissionError; anything
// else: RuntimeError. (Missing files are FileNotFoundError, raised before the library is called: module.cc.)
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
