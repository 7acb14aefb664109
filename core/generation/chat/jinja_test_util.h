// Shared by the engine's tests: renders a template source against a JSON context with the settings the
// expected strings were made with (Jinja2 configured as Hugging Face transformers, strftime_now at
// 2024-07-26 12:00 UTC).
#pragma once

#include <chrono>
#include <string>

#include "absl/status/statusor.h"
#include "core/generation/chat/jinja_template.h"
#include "core/generation/chat/value_json.h"
#include "core/runtime/status.h"

namespace ttt::chat::testing {

inline std::chrono::system_clock::time_point FixedNow() {
  return std::chrono::system_clock::from_time_t(1721995200);  // 2024-07-26 12:00:00 UTC
}

inline absl::StatusOr<std::string> RenderJinja(absl::string_view source, absl::string_view context_json = "{}",
                                               RenderLimits limits = {}) {
  TTT_ASSIGN_OR_RETURN(JinjaTemplate tmpl, JinjaTemplate::Parse(source));
  TTT_ASSIGN_OR_RETURN(Value context, ParseJson(context_json, "test context"));
  RenderOptions options;
  options.limits = limits;
  options.now = FixedNow();
  return tmpl.Render(context, options);
}

}  // namespace ttt::chat::testing
