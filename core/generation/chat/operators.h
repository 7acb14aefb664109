// Operators and lookups with Python's meaning, as Jinja2 inherits them: + adds numbers and joins strings
// and lists, / always gives a float, // and % floor toward minus infinity, `in` searches strings, lists
// and dict keys; `a.b` and `a[b]` find a dict key, a list item or a method, and give undefined (not an
// error) when there is none.
#pragma once

#include <optional>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "core/generation/chat/evaluator.h"
#include "core/generation/chat/value.h"

namespace ttt::chat {

// op is one of + - * / // % ** ~
absl::StatusOr<Value> BinaryOp(Evaluator& ev, absl::string_view op, const Value& a, const Value& b);
// op is "-" or "+".
absl::StatusOr<Value> UnaryOp(absl::string_view op, const Value& v);
// `item in container`.
absl::StatusOr<bool> Contains(const Value& container, const Value& item);

// Jinja's getattr: a method of str/list/dict first (so `d.items` is the method), then a dict key.
// Using an attribute of undefined is an error, as in Jinja; a missing attribute of anything else is undefined.
absl::StatusOr<Value> GetAttr(const Value& object, absl::string_view name);
// Jinja's getitem: a dict key, a list or string index (negative counts from the end), then a method.
absl::StatusOr<Value> GetItem(const Value& object, const Value& key);
// object[start:stop:step] on lists and strings.
absl::StatusOr<Value> GetSlice(const Value& object, const Value& start, const Value& stop, const Value& step);

// The error Jinja raises when an undefined value is used where a value is needed.
absl::Status UndefinedError(const Value& v);

}  // namespace ttt::chat
