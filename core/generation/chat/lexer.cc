#include "core/generation/chat/lexer.h"

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdlib>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "core/generation/chat/py_string.h"

namespace ttt::chat {

std::string Where(SourcePos pos) { return absl::StrCat("line ", pos.line, ", column ", pos.column); }

namespace {

bool IsNameStart(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool IsNameChar(char c) { return IsNameStart(c) || (c >= '0' && c <= '9'); }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

void AppendUtf8(uint32_t cp, std::string& out) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// Operators, longest first so that "//" wins over "/".
constexpr absl::string_view kOperators[] = {"//", "**", "==", "!=", "<=", ">=", "+", "-", "*", "/", "%", "~",
                                           "<",  ">",  "=",  "(",  ")",  "[",  "]", "{", "}", ",", ".", ":",
                                           "|",  ";"};

class Lexer {
 public:
  Lexer(std::string source, const LexOptions& options) : src_(std::move(source)), options_(options) {
    line_starts_.push_back(0);
    for (size_t i = 0; i < src_.size(); ++i) {
      if (src_[i] == '\n') line_starts_.push_back(i + 1);
    }
  }

  absl::StatusOr<std::vector<Token>> Run() {
    size_t pos = 0;
    bool line_starting = true;
    while (pos < src_.size()) {
      const size_t tag = FindTagStart(pos);
      std::string text = src_.substr(pos, tag - pos);
      if (tag == src_.size()) {
        Emit(TokenKind::kText, std::move(text), pos);
        break;
      }
      const char opener = src_[tag + 1];
      const char sign = (tag + 2 < src_.size() && (src_[tag + 2] == '-' || src_[tag + 2] == '+')) ? src_[tag + 2] : 0;
      const bool is_raw = opener == '%' && IsRawBegin(tag + 2 + (sign ? 1 : 0));
      ApplyLeftWhitespace(text, sign, /*block_like=*/opener != '{', line_starting);
      Emit(TokenKind::kText, std::move(text), pos);
      size_t inner = tag + 2 + (sign ? 1 : 0);
      absl::StatusOr<size_t> end;
      if (opener == '#') {
        end = SkipComment(tag, inner);
      } else if (is_raw) {
        end = LexRaw(tag, inner);
      } else {
        end = LexTag(tag, inner, opener == '%');
      }
      if (!end.ok()) return end.status();
      pos = *end;
      line_starting = pos > 0 && src_[pos - 1] == '\n';
    }
    tokens_.push_back(Token{TokenKind::kEnd, "", 0, 0, PosOf(src_.size())});
    return std::move(tokens_);
  }

 private:
  // Whether the source has `text` at `offset`.
  bool Matches(size_t offset, absl::string_view text) const {
    return offset <= src_.size() && absl::string_view(src_).substr(offset, text.size()) == text;
  }

  SourcePos PosOf(size_t offset) const {
    auto it = std::upper_bound(line_starts_.begin(), line_starts_.end(), offset);
    const size_t line = static_cast<size_t>(it - line_starts_.begin());
    return SourcePos{static_cast<int>(line), static_cast<int>(offset - line_starts_[line - 1] + 1)};
  }

  void Emit(TokenKind kind, std::string text, size_t offset) {
    if (kind == TokenKind::kText && text.empty()) return;
    tokens_.push_back(Token{kind, std::move(text), 0, 0, PosOf(offset)});
  }

  size_t FindTagStart(size_t pos) const {
    for (size_t i = pos; i + 1 < src_.size(); ++i) {
      if (src_[i] == '{' && (src_[i + 1] == '{' || src_[i + 1] == '%' || src_[i + 1] == '#')) return i;
    }
    return src_.size();
  }

  // Text before a tag: "{%-" strips all whitespace; otherwise lstrip_blocks removes the spaces and tabs
  // that are all that precede a block tag or comment on its line ("{%+" keeps them). A text that begins the
  // line (start of template, or after a tag that ended with its newline) counts as after a newline.
  void ApplyLeftWhitespace(std::string& text, char sign, bool block_like, bool line_starting) const {
    if (sign == '-') {
      size_t e = text.size();
      while (e > 0 && IsPySpace(text[e - 1])) --e;
      text.resize(e);
      return;
    }
    if (sign == '+' || !options_.lstrip_blocks || !block_like) return;
    const size_t newline = text.rfind('\n');
    const size_t line_begin = newline == std::string::npos ? 0 : newline + 1;
    if (line_begin == 0 && !line_starting) return;
    if (line_begin == text.size()) return;
    for (size_t i = line_begin; i < text.size(); ++i) {
      if (!IsPySpace(text[i])) return;
    }
    text.resize(line_begin);
  }

  // After a tag's closing delimiter: "-" strips all following whitespace; otherwise trim_blocks drops one
  // newline after block tags and comments. Returns the position after what was consumed.
  size_t ApplyRightWhitespace(size_t after, char sign, bool block_like) const {
    if (sign == '-') {
      while (after < src_.size() && IsPySpace(src_[after])) ++after;
      return after;
    }
    if (sign == '+' || !block_like || !options_.trim_blocks) return after;
    if (after < src_.size() && src_[after] == '\n') ++after;
    return after;
  }

  bool IsRawBegin(size_t i) const {
    while (i < src_.size() && IsPySpace(src_[i])) ++i;
    if (!Matches(i, "raw")) return false;
    i += 3;
    while (i < src_.size() && IsPySpace(src_[i])) ++i;
    return Matches(i, "%}") || Matches(i, "-%}");
  }

  absl::StatusOr<size_t> SkipComment(size_t tag, size_t inner) {
    const size_t close = src_.find("#}", inner);
    if (close == std::string::npos) {
      return absl::InvalidArgumentError(absl::StrCat("comment opened at ", Where(PosOf(tag)), " is never closed with '#}'"));
    }
    char sign = 0;
    if (close > inner && (src_[close - 1] == '-' || src_[close - 1] == '+')) sign = src_[close - 1];
    return ApplyRightWhitespace(close + 2, sign, true);
  }

  // {% raw %}...{% endraw %}: the body is text, tags in it are not interpreted.
  absl::StatusOr<size_t> LexRaw(size_t tag, size_t inner) {
    size_t i = src_.find("raw", inner) + 3;
    while (i < src_.size() && IsPySpace(src_[i])) ++i;
    if (src_[i] == '-') {
      i += 3;
      while (i < src_.size() && IsPySpace(src_[i])) ++i;
    } else {
      i += 2;
    }
    for (size_t search = i;;) {
      const size_t open = src_.find("{%", search);
      if (open == std::string::npos) {
        return absl::InvalidArgumentError(
            absl::StrCat("raw block opened at ", Where(PosOf(tag)), " has no {% endraw %}"));
      }
      size_t j = open + 2;
      char sign = 0;
      if (j < src_.size() && (src_[j] == '-' || src_[j] == '+')) sign = src_[j++];
      while (j < src_.size() && IsPySpace(src_[j])) ++j;
      if (!Matches(j, "endraw")) {
        search = open + 2;
        continue;
      }
      j += 6;
      while (j < src_.size() && IsPySpace(src_[j])) ++j;
      char end_sign = 0;
      if (j < src_.size() && (src_[j] == '-' || src_[j] == '+')) end_sign = src_[j++];
      if (!Matches(j, "%}")) {
        search = open + 2;
        continue;
      }
      std::string body = src_.substr(i, open - i);
      ApplyLeftWhitespace(body, sign, true, false);
      Emit(TokenKind::kText, std::move(body), i);
      return ApplyRightWhitespace(j + 2, end_sign, true);
    }
  }

  absl::StatusOr<size_t> LexTag(size_t tag, size_t i, bool is_block) {
    Emit(is_block ? TokenKind::kBlockBegin : TokenKind::kVarBegin, is_block ? "{%" : "{{", tag);
    std::vector<char> balance;
    const absl::string_view close = is_block ? "%}" : "}}";
    while (true) {
      while (i < src_.size() && IsPySpace(src_[i])) ++i;
      if (i >= src_.size()) {
        return absl::InvalidArgumentError(absl::StrCat("'", is_block ? "{%" : "{{", "' opened at ", Where(PosOf(tag)),
                                                       " is never closed with '", close, "'"));
      }
      if (balance.empty()) {
        char sign = 0;
        size_t at = i;
        if ((src_[i] == '-' || (is_block && src_[i] == '+')) && Matches(i + 1, close)) sign = src_[at++];
        if (Matches(at, close)) {
          tokens_.push_back(Token{is_block ? TokenKind::kBlockEnd : TokenKind::kVarEnd, std::string(close), 0, 0, PosOf(i)});
          return ApplyRightWhitespace(at + 2, sign, is_block);
        }
      }
      const char c = src_[i];
      if (IsNameStart(c)) {
        size_t j = i;
        while (j < src_.size() && IsNameChar(src_[j])) ++j;
        Emit(TokenKind::kName, src_.substr(i, j - i), i);
        i = j;
      } else if (IsDigit(c)) {
        i = LexNumber(i);
      } else if (c == '\'' || c == '"') {
        absl::StatusOr<size_t> next = LexString(i);
        if (!next.ok()) return next.status();
        i = *next;
      } else {
        absl::string_view op;
        for (absl::string_view candidate : kOperators) {
          if (Matches(i, candidate)) {
            op = candidate;
            break;
          }
        }
        if (op.empty()) {
          return absl::InvalidArgumentError(
              absl::StrCat("unexpected character '", std::string(1, c), "' at ", Where(PosOf(i))));
        }
        if (op == "(" || op == "[" || op == "{") {
          balance.push_back(op == "(" ? ')' : (op == "[" ? ']' : '}'));
        } else if (op == ")" || op == "]" || op == "}") {
          if (balance.empty() || balance.back() != op[0]) {
            return absl::InvalidArgumentError(absl::StrCat("unexpected '", op, "' at ", Where(PosOf(i))));
          }
          balance.pop_back();
        }
        Emit(TokenKind::kOperator, std::string(op), i);
        i += op.size();
      }
    }
  }

  size_t LexNumber(size_t i) {
    size_t j = i;
    while (j < src_.size() && (IsDigit(src_[j]) || src_[j] == '_')) ++j;
    bool is_float = false;
    if (j + 1 < src_.size() && src_[j] == '.' && IsDigit(src_[j + 1])) {
      is_float = true;
      ++j;
      while (j < src_.size() && (IsDigit(src_[j]) || src_[j] == '_')) ++j;
    }
    if (j < src_.size() && (src_[j] == 'e' || src_[j] == 'E')) {
      size_t k = j + 1;
      if (k < src_.size() && (src_[k] == '+' || src_[k] == '-')) ++k;
      if (k < src_.size() && IsDigit(src_[k])) {
        is_float = true;
        j = k;
        while (j < src_.size() && IsDigit(src_[j])) ++j;
      }
    }
    std::string digits = src_.substr(i, j - i);
    digits.erase(std::remove(digits.begin(), digits.end(), '_'), digits.end());
    Token token{is_float ? TokenKind::kFloat : TokenKind::kInt, src_.substr(i, j - i), 0, 0, PosOf(i)};
    if (is_float) {
      token.float_value = std::strtod(digits.c_str(), nullptr);
    } else {
      // Beyond int64 Python would go on; a template has no use for such integers, so it saturates.
      errno = 0;
      const long long v = std::strtoll(digits.c_str(), nullptr, 10);
      token.int_value = errno == ERANGE ? INT64_MAX : v;
    }
    tokens_.push_back(std::move(token));
    return j;
  }

  // A quoted literal with Python's escapes (\n, \t, \\, \', \xhh, \uhhhh...); an unknown escape keeps its
  // backslash, as Python does.
  absl::StatusOr<size_t> LexString(size_t i) {
    const char quote = src_[i];
    std::string value;
    size_t j = i + 1;
    while (true) {
      if (j >= src_.size()) {
        return absl::InvalidArgumentError(absl::StrCat("string literal at ", Where(PosOf(i)), " is never closed"));
      }
      const char c = src_[j];
      if (c == quote) break;
      if (c != '\\' || j + 1 >= src_.size()) {
        value += c;
        ++j;
        continue;
      }
      const char e = src_[j + 1];
      j += 2;
      switch (e) {
        case 'n': value += '\n'; break;
        case 't': value += '\t'; break;
        case 'r': value += '\r'; break;
        case 'a': value += '\a'; break;
        case 'b': value += '\b'; break;
        case 'f': value += '\f'; break;
        case 'v': value += '\v'; break;
        case '\\': value += '\\'; break;
        case '\'': value += '\''; break;
        case '"': value += '"'; break;
        case '\n': break;  // a backslash before a newline continues the line
        case 'x':
        case 'u':
        case 'U': {
          const int width = e == 'x' ? 2 : (e == 'u' ? 4 : 8);
          uint32_t cp = 0;
          int k = 0;
          for (; k < width && j + k < src_.size() && HexDigit(src_[j + k]) >= 0; ++k) {
            cp = cp * 16 + static_cast<uint32_t>(HexDigit(src_[j + k]));
          }
          if (k != width || cp > 0x10FFFF) {
            return absl::InvalidArgumentError(
                absl::StrCat("bad \\", std::string(1, e), " escape in string literal at ", Where(PosOf(i))));
          }
          AppendUtf8(cp, value);
          j += k;
          break;
        }
        default:
          if (e >= '0' && e <= '7') {
            uint32_t cp = static_cast<uint32_t>(e - '0');
            for (int k = 0; k < 2 && j < src_.size() && src_[j] >= '0' && src_[j] <= '7'; ++k) {
              cp = cp * 8 + static_cast<uint32_t>(src_[j++] - '0');
            }
            AppendUtf8(cp, value);
          } else {
            value += '\\';
            value += e;
          }
      }
    }
    Token token{TokenKind::kString, std::move(value), 0, 0, PosOf(i)};
    tokens_.push_back(std::move(token));
    return j + 1;
  }

  std::string src_;
  LexOptions options_;
  std::vector<size_t> line_starts_;
  std::vector<Token> tokens_;
};

// Jinja treats \r\n, \r and \n alike and, unless told to keep it, drops one newline at the very end.
std::string NormalizeNewlines(absl::string_view source, bool keep_trailing_newline) {
  std::string out;
  out.reserve(source.size());
  for (size_t i = 0; i < source.size(); ++i) {
    if (source[i] == '\r') {
      out += '\n';
      if (i + 1 < source.size() && source[i + 1] == '\n') ++i;
    } else {
      out += source[i];
    }
  }
  if (!keep_trailing_newline && !out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

}  // namespace

absl::StatusOr<std::vector<Token>> Lex(absl::string_view source, const LexOptions& options) {
  return Lexer(NormalizeNewlines(source, options.keep_trailing_newline), options).Run();
}

}  // namespace ttt::chat
