// Jinja's tests, the right side of `x is ...`: defined, none, string, mapping, number, even, equalto...
#pragma once

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "core/generation/chat/value.h"

namespace ttt::chat {

class Evaluator;

bool IsKnownTest(absl::string_view name);
// `args` are the test's arguments after the value (`x is divisibleby(3)` passes 3).
absl::StatusOr<bool> ApplyTest(Evaluator& ev, absl::string_view name, const Value& value, CallArgs& args);

}  // namespace ttt::chat
