// SentencePiece's precompiled normalization rules (NormalizerSpec.precompiled_charsmap, HF's "Precompiled"
// normalizer, GGUF tokenizer.ggml.precompiled_charsmap): a Darts-clone double-array trie over the UTF-8 of
// every rule's source, whose values are offsets into a block of NUL-terminated replacement strings. This is
// how T5-style models carry their NFKC-based normalization (nmt_nfkc) without a Unicode table of their own.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace ttt::tokenizers {

class PrecompiledCharsMap {
 public:
  // Blob layout: uint32 little-endian trie size in bytes, the trie (uint32 units), the replacement strings.
  // `source` names the file and field in errors.
  static absl::StatusOr<PrecompiledCharsMap> Parse(std::string_view blob, std::string_view source);

  // Normalizes the start of `input` (non-empty) as SentencePiece's Normalizer::NormalizePrefix does: the
  // longest rule matching there gives its replacement; otherwise one character is copied, and a malformed
  // byte becomes U+FFFD. Returns the number of input bytes consumed (>= 1); the replacement goes to `out`.
  size_t NormalizePrefix(std::string_view input, std::string_view* out) const;

  bool empty() const { return units_.empty(); }

 private:
  // The longest rule's (length, replacement offset), length 0 when none matches.
  std::pair<size_t, uint32_t> LongestMatch(std::string_view input) const;

  std::vector<uint32_t> units_;
  std::string replacements_;
};

// The first character of `input` (non-empty) when it is well-formed UTF-8 as SentencePiece checks it (no
// overlong forms, surrogates or values past U+10FFFF): its length in bytes; 0 when malformed.
size_t ValidUtf8CharLength(std::string_view input);

}  // namespace ttt::tokenizers
