// Jinja's filters, the `value | name(args)` of templates: trim, tojson, length, join, default,
// selectattr, map, sort... with Jinja2's semantics (and Hugging Face's own tojson, which keeps non-ASCII
// text and does not HTML-escape).
#pragma once

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "core/generation/chat/value.h"

namespace ttt::chat {

class Evaluator;

bool IsKnownFilter(absl::string_view name);
absl::StatusOr<Value> ApplyFilter(Evaluator& ev, absl::string_view name, const Value& input, CallArgs& args);

// Jinja's environment.getattr for filters given `attribute=`: "a.b.0" walks dict keys and list indices.
absl::StatusOr<Value> GetDottedAttribute(const Value& item, absl::string_view path);

}  // namespace ttt::chat
