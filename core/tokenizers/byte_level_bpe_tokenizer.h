// Byte-level BPE (GPT-2, Llama 3, Qwen2, DeepSeek, Falcon, StarCoder...): the model's regexes split text into
// chunks, each chunk's bytes become printable characters (bytes_to_unicode), and listed merges apply by rank
// within the chunk.
#pragma once

#include <memory>
#include <vector>

#include "core/tokenizers/bpe_merge.h"
#include "core/tokenizers/regex_pretokenizer.h"
#include "core/tokenizers/tokenizer.h"

namespace ttt::tokenizers {

struct ByteLevelOptions {
  bool add_prefix_space = false;  // HF ByteLevel(add_prefix_space): a space before text not starting with one
  std::vector<SplitRule> split_rules = {{.pattern = std::string(kGpt2SplitPattern)}};
  bool ignore_merges = false;  // a chunk that is a piece of the vocabulary is that token (Llama 3), unmerged
  bool nfc = false;            // NFC-normalize text first (HF normalizer "NFC": GPT-NeoX, MPT)
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
                        std::unique_ptr<RegexPreTokenizer> pre_tokenizer);
  absl::Status EncodeChunk(std::string_view chunk, std::vector<int32_t>* out) const;

  MergeRankTable merges_;
  ByteLevelOptions options_;
  std::unique_ptr<RegexPreTokenizer> pre_tokenizer_;
  std::vector<std::string> decoded_;  // per id: its bytes
};

}  // namespace ttt::tokenizers
