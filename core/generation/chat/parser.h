// Builds the syntax tree of a template from its tokens, following Jinja2's grammar and operator precedence.
// Statements and filters the engine does not implement are refused here, before anything renders, with an
// error naming the construct and where it is ("unsupported statement 'include' at line 3, column 5").
#pragma once

#include <vector>

#include "absl/status/statusor.h"
#include "core/generation/chat/ast.h"
#include "core/generation/chat/lexer.h"
#include "core/generation/chat/parser_expressions.h"

namespace ttt::chat {

absl::StatusOr<Body> Parse(const std::vector<Token>& tokens);

}  // namespace ttt::chat
