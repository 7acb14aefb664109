// GPT-2's pre-tokenizer: splits text into the chunks BPE merges within, with the regex
//   's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
// run by PCRE2 in UTF + UCP mode. Invalid UTF-8 never fails: bytes no alternative matches form chunks
// of their own, so every byte of the input lands in exactly one chunk.
#pragma once

#include <memory>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace ttt::tokenizers {

class Gpt2PreTokenizer {
 public:
  static absl::StatusOr<std::unique_ptr<Gpt2PreTokenizer>> Create();
  ~Gpt2PreTokenizer();
  Gpt2PreTokenizer(const Gpt2PreTokenizer&) = delete;
  Gpt2PreTokenizer& operator=(const Gpt2PreTokenizer&) = delete;

  // The chunks of `text`, in order, covering it exactly. Thread-safe.
  absl::StatusOr<std::vector<std::string_view>> Split(std::string_view text) const;

 private:
  struct Impl;
  explicit Gpt2PreTokenizer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace ttt::tokenizers
