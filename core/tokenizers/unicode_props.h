// The Unicode facts normalizers and pre-tokenizers need (character classes, White_Space, lowercase,
// canonical decomposition and composition), from tables generated out of the Unicode Character Database
// (unicode_tables.inc, written by gen_unicode_tables.py), plus UTF-8 <-> code points.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/tokenizers/utf8.h"  // DecodeUtf8 / EncodeUtf8, used with these

namespace ttt::tokenizers {

// The general category, as coarse as the tokenizers need it. Unassigned code points are kOther (Cn).
enum class CharClass : uint8_t {
  kLetter,           // L*
  kNonspacingMark,   // Mn: what "strip accents" removes after NFD
  kOtherMark,        // Mc, Me
  kNumber,           // N*
  kPunctuation,      // P*
  kSymbol,           // S*
  kSeparator,        // Z*
  kOther,            // C*: controls, format characters, surrogates, private use, unassigned
};

CharClass CharClassOf(char32_t c);

// The White_Space property (what Rust's char::is_whitespace and Python's str.isspace() mostly agree on).
bool IsWhiteSpace(char32_t c);

// Appends the full lowercase mapping of `c` (one code point, except U+0130 which becomes two).
void AppendLowercase(char32_t c, std::u32string* out);

// Canonical decomposition with canonical ordering of combining marks (NFD), and NFD then canonical
// composition (NFC).
std::u32string ToNfd(std::u32string_view text);
std::u32string ToNfc(std::u32string_view text);

}  // namespace ttt::tokenizers
