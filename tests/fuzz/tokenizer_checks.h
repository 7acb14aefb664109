// What the tokenizer targets ask of a tokenizer that loaded: encoding and decoding sample texts (and the
// fuzzer's own bytes) gives ids inside the vocabulary and never crashes.
#pragma once

#include <string_view>

#include "core/tokenizers/tokenizer.h"
#include "tests/fuzz/fuzz_support.h"

namespace ttt::fuzz {

inline void ExerciseTokenizer(const tokenizers::Tokenizer& t, std::string_view text) {
  for (bool special : {false, true}) {
    auto ids = t.Encode(text, tokenizers::EncodeOptions{.add_bos = special, .add_eos = special, .parse_special = special});
    if (!ids.ok()) continue;
    for (int32_t id : *ids) TTT_FUZZ_CHECK(id >= 0 && id < t.vocab_size());
    (void)t.Decode(*ids);
  }
}

// Loaded from a fuzzed file: a few fixed texts (ASCII, multi-byte UTF-8, invalid UTF-8, specials) and the
// decoding of every id the vocabulary has, with out-of-range ones mixed in.
inline void ExerciseTokenizer(const tokenizers::Tokenizer& t) {
  using namespace std::string_view_literals;
  for (std::string_view text : {"Hello, world!  It's 2024.\n"sv, "caf\xc3\xa9 \xe4\xb8\xad\xe6\x96\x87 \xf0\x9f\x98\x80"sv,
                                "\xff\xfe\xc3 \x80"sv, "<s></s><unk>[CLS]<|endoftext|>"sv, ""sv}) {
    ExerciseTokenizer(t, text);
  }
  const int32_t n = std::min<int32_t>(t.vocab_size(), 4096);
  std::vector<int32_t> ids;
  for (int32_t id = -2; id < n + 2; ++id) ids.push_back(id);
  (void)t.Decode(ids);
  int32_t previous = -1;
  for (int32_t id : ids) {
    (void)t.DecodeToken(id, previous);
    (void)t.TokenText(id);
    (void)t.TokenPiece(id);
    previous = id;
  }
}

}  // namespace ttt::fuzz
