// Between template values and JSON: messages, tools and extra context arrive as JSON; the `tojson` filter
// prints values the way Hugging Face's chat templates do (Python's json.dumps with ensure_ascii=False, so
// non-ASCII text stays as it is, and the same separators and float spelling).
#pragma once

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "core/generation/chat/value.h"
#include "nlohmann/json.hpp"

namespace ttt::chat {

// Deeper JSON than this is refused rather than converted recursively.
inline constexpr int kMaxJsonDepth = 128;

absl::StatusOr<Value> FromJson(const nlohmann::ordered_json& json);
// Parses JSON text; `what` names it in errors ("extra context", "message 3").
absl::StatusOr<Value> ParseJson(absl::string_view text, absl::string_view what);

struct JsonFormat {
  std::optional<std::string> indent;  // per level; nullopt prints on one line
  std::optional<std::string> item_separator;  // default ", " on one line, "," when indented
  std::optional<std::string> key_separator;   // default ": "
  bool sort_keys = false;
};

// json.dumps(value): undefined and callables are not serialisable (an error naming the type).
absl::StatusOr<std::string> ToJson(const Value& value, const JsonFormat& format = {});

}  // namespace ttt::chat
