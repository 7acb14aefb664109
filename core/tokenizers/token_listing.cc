#include "core/tokenizers/token_listing.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"

namespace ttt::tokenizers {
namespace {

// A Python string literal in single quotes, so that --pieces output reads back with ast.literal_eval.
std::string PythonQuoted(std::string_view text) {
  std::string out = "'";
  for (char c : text) {
    switch (c) {
      case '\'': out += "\\'"; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) {
          absl::StrAppendFormat(&out, "\\x%02x", static_cast<unsigned char>(c));
        } else {
          out += c;
        }
    }
  }
  return out + "'";
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string FormatTokens(const Tokenizer& tokenizer, absl::Span<const int32_t> ids, TokenListing listing) {
  switch (listing) {
    case TokenListing::kIds:
      return absl::StrCat("[", absl::StrJoin(ids, ", "), "]\n");
    case TokenListing::kPieces:
      return absl::StrCat("[", absl::StrJoin(ids, ", ", [&](std::string* out, int32_t id) {
                            out->append(PythonQuoted(tokenizer.TokenText(id)));
                          }),
                          "]\n");
    case TokenListing::kIdsAndPieces: {
      std::string out;
      for (int32_t id : ids) absl::StrAppendFormat(&out, "%6d -> '%s'\n", id, tokenizer.TokenPiece(id));
      return out;
    }
  }
  return {};
}

std::string ProcessEscapes(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\\' || i + 1 == text.size()) {
      out += text[i];
      continue;
    }
    const char next = text[i + 1];
    switch (next) {
      case 'n': out += '\n'; ++i; break;
      case 'r': out += '\r'; ++i; break;
      case 't': out += '\t'; ++i; break;
      case '\'': case '"': case '\\': out += next; ++i; break;
      case 'x':
        if (i + 3 < text.size() && HexValue(text[i + 2]) >= 0 && HexValue(text[i + 3]) >= 0) {
          out += static_cast<char>(HexValue(text[i + 2]) * 16 + HexValue(text[i + 3]));
          i += 3;
          break;
        }
        [[fallthrough]];
      default:
        out += '\\';
    }
  }
  return out;
}

}  // namespace ttt::tokenizers
