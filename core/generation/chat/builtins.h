// The global functions a chat template can call: Jinja's range, dict, namespace and joiner, and the two
// Hugging Face adds, raise_exception(message) (a template's way to refuse a conversation) and
// strftime_now(format) (the date some templates put in the system prompt).
#pragma once

#include <optional>

#include "absl/strings/string_view.h"
#include "core/generation/chat/value.h"

namespace ttt::chat {

// The builtin called `name`, or nullopt. Template variables shadow builtins.
std::optional<Value> Builtin(absl::string_view name);

}  // namespace ttt::chat
