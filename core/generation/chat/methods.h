// Python methods that chat templates call on their values: str (strip, split, startswith, replace...),
// list (append, pop...) and dict (items, keys, values, get...). Jinja2 lets templates call the methods of
// the Python objects they get; these are the ones real templates use.
#pragma once

#include <optional>

#include "absl/strings/string_view.h"
#include "core/generation/chat/value.h"

namespace ttt::chat {

// `receiver.name` as a callable bound to the receiver, or nullopt when the type has no such method.
std::optional<Value> BoundMethod(const Value& receiver, absl::string_view name);

}  // namespace ttt::chat
