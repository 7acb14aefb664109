// Byte-level BPE (GPT-2): the GPT-2 regex splits text into chunks, each chunk's bytes become printable
// characters (bytes_to_unicode), and listed merges apply by rank within the chunk.
#pragma once

#include <memory>

#include "core/tokenizers/bpe_merge.h"
#include "core/tokenizers/gpt2_pretokenizer.h"
#include "core/tokenizers/tokenizer.h"

namespace ttt::tokenizers {

struct ByteLevelOptions {
  bool add_prefix_space = false;  // HF ByteLevel(add_prefix_space): a space before text not starting with one
};

class ByteLevelBpeTokenizer : public Tokenizer {
 public:
  // `merges` ranks pairs of token ids (see MergeRankTable). Errors name `source`.
  static absl::StatusOr<std::unique_ptr<ByteLevelBpeTokenizer>> Create(Vocabulary vocab, MergeRankTable merges,
                                                                       ByteLevelOptions options,
                                                                       std::string_view source);

  std::string DecodeToken(int32_t id, int32_t previous) const override;

 protected:
  absl::Status EncodeFragment(std::string_view fragment, FragmentPlace place,
                              std::vector<int32_t>* out) const override;

 private:
  ByteLevelBpeTokenizer(Vocabulary vocab, MergeRankTable merges, ByteLevelOptions options,
                        std::unique_ptr<Gpt2PreTokenizer> pre_tokenizer);
  absl::Status EncodeChunk(std::string_view chunk, std::vector<int32_t>* out) const;

  MergeRankTable merges_;
  ByteLevelOptions options_;
  std::unique_ptr<Gpt2PreTokenizer> pre_tokenizer_;
  std::vector<std::string> decoded_;  // per id: its bytes
};

}  // namespace ttt::tokenizers
