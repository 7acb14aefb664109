#include "core/generation/chat/jinja_template.h"

#include "core/generation/chat/parser.h"
#include "core/runtime/status.h"

namespace ttt::chat {

absl::StatusOr<JinjaTemplate> JinjaTemplate::Parse(absl::string_view source, const LexOptions& options) {
  TTT_ASSIGN_OR_RETURN(std::vector<Token> tokens, Lex(source, options));
  TTT_ASSIGN_OR_RETURN(Body body, chat::Parse(tokens));
  return JinjaTemplate(std::make_shared<const Body>(std::move(body)));
}

absl::StatusOr<std::string> JinjaTemplate::Render(const Value& variables, const RenderOptions& options) const {
  Evaluator evaluator(options.limits, variables, options.now.value_or(std::chrono::system_clock::now()));
  return evaluator.Render(*body_);
}

}  // namespace ttt::chat
