// Ops return void on the hot path: a violated precondition that would otherwise read out of bounds or
// compute garbage stops the process with a message naming the op, the offending value and the fix.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string>

#include "absl/strings/str_cat.h"

namespace ttt::ops::internal {

[[noreturn]] inline void FailOp(const std::string& message) {
  std::fprintf(stderr, "fatal: %s\n", message.c_str());
  std::fflush(stderr);
  std::abort();
}

}  // namespace ttt::ops::internal

// TTT_OP_CHECK(cond, pieces...) fails with absl::StrCat(pieces...) when cond is false.
#define TTT_OP_CHECK(cond, ...)                                                    \
  do {                                                                             \
    if (!(cond)) ::ttt::ops::internal::FailOp(::absl::StrCat(__VA_ARGS__));        \
  } while (0)
