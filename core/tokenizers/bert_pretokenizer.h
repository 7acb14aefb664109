// What BERT does to text before WordPiece: the BERT normalizer (drop control characters, put spaces around
// CJK ideographs, strip accents, lowercase) and the BERT pre-tokenizer (split at whitespace, and make every
// punctuation character a word of its own), as HF tokenizers' BertNormalizer and BertPreTokenizer do.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace ttt::tokenizers {

struct BertNormalization {
  bool clean_text = true;            // drop NUL, U+FFFD and control characters; any whitespace becomes ' '
  bool handle_chinese_chars = true;  // CJK ideographs become words of their own
  bool strip_accents = true;         // NFD, then drop nonspacing marks
  bool lowercase = true;
};

std::u32string BertNormalize(std::u32string_view text, const BertNormalization& options);

// The words of normalized text, in order, as UTF-8.
std::vector<std::string> BertSplitWords(std::u32string_view text);

}  // namespace ttt::tokenizers
