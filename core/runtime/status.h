// Error conventions: every error that crosses an API boundary is an absl::Status whose message says
// what is wrong, where (module, layer, op, file and offset) and what to try.
#pragma once

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"

#define TTT_STATUS_CONCAT_INNER(a, b) a##b
#define TTT_STATUS_CONCAT(a, b) TTT_STATUS_CONCAT_INNER(a, b)

// Returns from the current function if `expr` (an absl::Status) is not OK.
#define TTT_RETURN_IF_ERROR(expr)                \
  do {                                           \
    ::absl::Status _ttt_status = (expr);         \
    if (!_ttt_status.ok()) return _ttt_status;   \
  } while (0)

// `TTT_ASSIGN_OR_RETURN(auto x, MakeX());` unwraps a StatusOr or returns its error.
#define TTT_ASSIGN_OR_RETURN(lhs, rexpr) \
  TTT_ASSIGN_OR_RETURN_IMPL(TTT_STATUS_CONCAT(_ttt_statusor_, __LINE__), lhs, rexpr)
#define TTT_ASSIGN_OR_RETURN_IMPL(tmp, lhs, rexpr) \
  auto tmp = (rexpr);                              \
  if (!tmp.ok()) return std::move(tmp).status();   \
  lhs = std::move(tmp).value()

namespace ttt {

// Prefixes an error with the place it happened ("layer 3 attention: ..."), keeping its code.
inline absl::Status Annotate(const absl::Status& status, absl::string_view where) {
  if (status.ok()) return status;
  return absl::Status(status.code(), absl::StrCat(where, ": ", status.message()));
}

}  // namespace ttt
