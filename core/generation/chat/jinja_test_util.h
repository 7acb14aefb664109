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
#include "gtest/gtest.h"

namespace ttt::chat {

// One template of the per-construct tests, with the string Jinja2 renders for it against kJinjaContext.
struct JinjaCase {
  const char* name;
  const char* source;
  const char* expected;
};

namespace testing {

// The context every per-construct case renders with.
inline constexpr char kJinjaContext[] = R"json({"messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello!", "tool_calls": [{"function": {"name": "f", "arguments": {"x": 1}}}]}], "name": "Ada", "items": [3, 1, 2], "flag": true, "empty": [], "nothing": null, "tools": [{"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object"}}}, {"type": "code_interpreter"}]})json";

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

inline void ExpectRendersAsJinja2(const JinjaCase& c) {
  absl::StatusOr<std::string> out = RenderJinja(c.source, kJinjaContext);
  ASSERT_TRUE(out.ok()) << c.source << "\n" << out.status();
  EXPECT_EQ(*out, c.expected) << c.source;
}

inline std::string JinjaCaseName(const ::testing::TestParamInfo<JinjaCase>& info) { return info.param.name; }

}  // namespace testing
}  // namespace ttt::chat
