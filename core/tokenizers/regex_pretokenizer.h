// The regex pre-tokenizers of byte-level BPE: rules applied in order, each to every chunk the rules before
// it produced, each splitting a chunk at its regex matches (HF tokenizers' Split pre-tokenizer, and the
// lists of regexes llama.cpp keeps per tokenizer.ggml.pre). PCRE2 runs the regexes in UTF + UCP mode.
// Invalid UTF-8 never fails: bytes no regex matches end up in chunks like any others.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace ttt::tokenizers {

// GPT-2's regex: what HF's ByteLevel pre-tokenizer applies when use_regex is true, and llama.cpp's "gpt-2".
inline constexpr std::string_view kGpt2SplitPattern =
    R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)";

// One punctuation character as HF's Punctuation pre-tokenizer sees it: Unicode punctuation, or any ASCII
// punctuation character (which includes symbols such as '$' and '+').
inline constexpr std::string_view kPunctuationPattern = R"([\p{P}!-/:-@\[-`{-~])";

// What becomes of the matches (the delimiters) and of the text between them: HF's SplitDelimiterBehavior.
enum class SplitBehavior {
  kIsolated,            // every match and every stretch between matches is a chunk
  kRemoved,             // the matches are dropped
  kMergedWithPrevious,  // a match joins the chunk before it
  kMergedWithNext,      // a match joins the chunk after it
  kContiguous,          // like kIsolated, but adjacent matches form one chunk
};

struct SplitRule {
  std::string pattern;
  bool literal = false;  // `pattern` is plain text, not a regex (HF Split {"String": ...})
  SplitBehavior behavior = SplitBehavior::kIsolated;
  bool invert = false;  // the matches are the chunks' text and the rest the delimiters
  // Match against the chunk as GPT-2's byte-to-character table shows it: HF applies the rules that follow
  // a ByteLevel pre-tokenizer to its output, where every byte is one character.
  bool on_byte_level_text = false;
};

class RegexPreTokenizer {
 public:
  // A pattern PCRE2 rejects is an error naming `source`, the pattern and where it fails.
  static absl::StatusOr<std::unique_ptr<RegexPreTokenizer>> Create(const std::vector<SplitRule>& rules,
                                                                   std::string_view source);
  ~RegexPreTokenizer();
  RegexPreTokenizer(const RegexPreTokenizer&) = delete;
  RegexPreTokenizer& operator=(const RegexPreTokenizer&) = delete;

  // The chunks of `text` in order; they cover it exactly unless a rule removes its matches. Thread-safe.
  absl::StatusOr<std::vector<std::string_view>> Split(std::string_view text) const;

 private:
  struct CompiledRule;
  explicit RegexPreTokenizer(std::vector<CompiledRule> rules);
  absl::Status SplitChunk(const CompiledRule& rule, std::string_view chunk,
                          std::vector<std::string_view>* out) const;

  std::vector<CompiledRule> rules_;
};

}  // namespace ttt::tokenizers
