// SentencePiece-style BPE: spaces become '▁', a dummy '▁' prefix, merges of adjacent pieces, and characters
// that no piece covers fall back to <0xXX> byte tokens. Serves SentencePiece tokenizer.model, llama2.c
// tokenizer.bin, GGUF "llama" vocabularies (merge order: the merged piece's score) and HF tokenizer.json
// BPE with byte fallback (merge order: the explicit merge list).
#pragma once

#include <array>
#include <memory>
#include <optional>

#include "core/tokenizers/bpe_merge.h"
#include "core/tokenizers/tokenizer.h"

namespace ttt::tokenizers {

enum class DummyPrefix {
  kNever,
  kFirstFragment,      // only at the start of the text (HF Metaspace prepend_scheme "first")
  kAfterEverySpecial,  // at the start and after every special token (SentencePiece, llama.cpp, llama2.c)
};

struct SpmOptions {
  DummyPrefix dummy_prefix = DummyPrefix::kAfterEverySpecial;
  // HF Metaspace: no dummy prefix on a fragment that already starts with a space.
  bool dummy_prefix_unless_leading_space = false;
  bool remove_extra_whitespaces = false;  // SentencePiece: trim, and collapse runs of spaces into one
  bool escape_whitespaces = true;         // ' ' -> '▁'
  bool byte_fallback = true;              // else unknown characters become the unknown token
  bool fuse_unknown = false;              // HF: consecutive unknown tokens become one
};

class SpmTokenizer : public Tokenizer {
 public:
  // Without `merges`, a pair merges when the concatenation is a normal or user-defined piece, highest score
  // first; with them, the listed pairs merge, earliest first. Errors name `source`.
  static absl::StatusOr<std::unique_ptr<SpmTokenizer>> Create(Vocabulary vocab, SpmOptions options,
                                                              std::optional<MergeRankTable> merges,
                                                              std::string_view source);

  ~SpmTokenizer() override;
  std::string DecodeToken(int32_t id, int32_t previous) const override;
  const SpmOptions& options() const { return options_; }

 protected:
  absl::Status EncodeFragment(std::string_view fragment, FragmentPlace place,
                              std::vector<int32_t>* out) const override;

 private:
  class ScoreRanker;
  SpmTokenizer(Vocabulary vocab, SpmOptions options, std::optional<MergeRankTable> merges);
  std::string Normalize(std::string_view fragment, FragmentPlace place) const;
  int32_t MergeablePiece(std::string_view piece) const;  // kNoToken unless a normal/user-defined piece
  absl::Status EmitUnknown(std::string_view text, std::vector<int32_t>* out) const;

  SpmOptions options_;
  std::optional<MergeRankTable> merges_;
  std::unique_ptr<ScoreRanker> score_ranker_;
  std::array<int32_t, 256> byte_to_id_;
  std::vector<std::string> decoded_;  // per id: the text it contributes (without the start-of-text strip)
};

}  // namespace ttt::tokenizers
