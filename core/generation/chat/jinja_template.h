// A parsed Jinja template, rendered as many times as needed (concurrently too: rendering never changes it).
// Parsing refuses unsupported constructs up front; rendering is bounded by RenderLimits.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "core/generation/chat/ast.h"
#include "core/generation/chat/evaluator.h"
#include "core/generation/chat/lexer.h"
#include "core/generation/chat/value.h"

namespace ttt::chat {

struct RenderOptions {
  RenderLimits limits;
  // What strftime_now() formats; unset means the time of the render.
  std::optional<std::chrono::system_clock::time_point> now;
};

class JinjaTemplate {
 public:
  // Whitespace handling defaults to Hugging Face's (trim_blocks, lstrip_blocks).
  static absl::StatusOr<JinjaTemplate> Parse(absl::string_view source, const LexOptions& options = {});

  // `variables` is a dict of the names the template sees (messages, add_generation_prompt...).
  absl::StatusOr<std::string> Render(const Value& variables, const RenderOptions& options = {}) const;

 private:
  explicit JinjaTemplate(std::shared_ptr<const Body> body) : body_(std::move(body)) {}
  std::shared_ptr<const Body> body_;
};

}  // namespace ttt::chat
