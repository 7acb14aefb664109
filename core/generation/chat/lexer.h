// Splits Jinja template source into text and the tokens inside {{ }} and {% %} tags, applying Jinja's
// whitespace rules as Hugging Face configures them (trim_blocks and lstrip_blocks on, the trailing newline of
// the source dropped), so the parser sees text exactly as Jinja2 would emit it. Comments {# #} vanish here.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace ttt::chat {

struct SourcePos {
  int line = 1;
  int column = 1;
};

// "line 3, column 5", as every error of the engine names a place.
std::string Where(SourcePos pos);

enum class TokenKind {
  kText,        // template text, whitespace control already applied
  kVarBegin,    // {{
  kVarEnd,      // }}
  kBlockBegin,  // {%
  kBlockEnd,    // %}
  kName,        // identifiers and keywords (if, in, not, true...)
  kString,      // text holds the decoded value
  kInt,
  kFloat,
  kOperator,    // + - * / // % ** ~ == != < <= > >= = ( ) [ ] { } , . : |
  kEnd,
};

struct Token {
  TokenKind kind;
  std::string text;
  int64_t int_value = 0;
  double float_value = 0;
  SourcePos pos;
};

struct LexOptions {
  bool trim_blocks = true;    // drop the first newline after a block tag or comment
  bool lstrip_blocks = true;  // drop spaces and tabs before a block tag or comment at the start of a line
  bool keep_trailing_newline = false;
};

absl::StatusOr<std::vector<Token>> Lex(absl::string_view source, const LexOptions& options = {});

}  // namespace ttt::chat
