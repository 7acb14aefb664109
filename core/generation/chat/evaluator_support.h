// What the two halves of the evaluator (evaluator.cc: statements; evaluator_expressions.cc: expressions)
// share: error positions and the recursion counter.
#pragma once

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "core/generation/chat/lexer.h"

namespace ttt::chat {

// Run-time errors name the place in the template: "'foo' is undefined (line 3, column 12)".
inline absl::Status At(const absl::Status& status, SourcePos pos) {
  if (status.ok()) return status;
  return absl::Status(status.code(), absl::StrCat(status.message(), " (", Where(pos), ")"));
}

template <typename T>
absl::StatusOr<T> At(absl::StatusOr<T> result, SourcePos pos) {
  if (result.ok()) return result;
  return At(result.status(), pos);
}

// Counts nesting (statements, expressions, calls) so that recursion has a ceiling whatever the template.
class DepthScope {
 public:
  explicit DepthScope(int& depth) : depth_(depth) { ++depth_; }
  ~DepthScope() { --depth_; }

 private:
  int& depth_;
};

}  // namespace ttt::chat
