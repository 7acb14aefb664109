#include "core/tokenizers/bert_pretokenizer.h"

#include "core/tokenizers/unicode_props.h"

namespace ttt::tokenizers {
namespace {

bool IsTabOrNewline(char32_t c) { return c == '\t' || c == '\n' || c == '\r'; }

// The CJK Unified Ideographs blocks as BERT lists them (its list has 0x2B920 where Unicode has 0x2B820;
// kept, since the vocabularies were made with it).
bool IsChineseChar(char32_t c) {
  return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) || (c >= 0x20000 && c <= 0x2A6DF) ||
         (c >= 0x2A700 && c <= 0x2B73F) || (c >= 0x2B740 && c <= 0x2B81F) || (c >= 0x2B920 && c <= 0x2CEAF) ||
         (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x2F800 && c <= 0x2FA1F);
}

// ASCII punctuation in the C sense (which includes symbols such as '$', '+', '^') or Unicode punctuation.
bool IsBertPunctuation(char32_t c) {
  if (c < 0x80) return (c >= 0x21 && c <= 0x2F) || (c >= 0x3A && c <= 0x40) || (c >= 0x5B && c <= 0x60) ||
                       (c >= 0x7B && c <= 0x7E);
  return CharClassOf(c) == CharClass::kPunctuation;
}

}  // namespace

std::u32string BertNormalize(std::u32string_view text, const BertNormalization& options) {
  std::u32string out;
  out.reserve(text.size());
  for (char32_t c : text) {
    if (options.clean_text) {
      if (c == 0 || c == 0xFFFD || (CharClassOf(c) == CharClass::kOther && !IsTabOrNewline(c))) continue;
      if (IsWhiteSpace(c)) c = ' ';
    }
    if (options.handle_chinese_chars && IsChineseChar(c)) {
      out.append({U' ', c, U' '});
    } else {
      out.push_back(c);
    }
  }
  if (options.strip_accents) {
    std::u32string stripped;
    for (char32_t c : ToNfd(out)) {
      if (CharClassOf(c) != CharClass::kNonspacingMark) stripped.push_back(c);
    }
    out = std::move(stripped);
  }
  if (options.lowercase) {
    std::u32string lower;
    lower.reserve(out.size());
    for (char32_t c : out) AppendLowercase(c, &lower);
    out = std::move(lower);
  }
  return out;
}

std::vector<std::string> BertSplitWords(std::u32string_view text) {
  std::vector<std::string> words;
  std::string word;
  auto finish_word = [&] {
    if (!word.empty()) words.push_back(std::move(word));
    word.clear();
  };
  for (char32_t c : text) {
    if (IsWhiteSpace(c)) {
      finish_word();
    } else if (IsBertPunctuation(c)) {
      finish_word();
      AppendUtf8(c, &word);
      finish_word();
    } else {
      AppendUtf8(c, &word);
    }
  }
  finish_word();
  return words;
}

}  // namespace ttt::tokenizers
