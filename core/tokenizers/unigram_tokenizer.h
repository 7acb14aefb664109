// SentencePiece Unigram (T5, mT5, Pegasus, ALBERT, XLNet...): the text is normalized (the model's precompiled
// character map, then SentencePiece's whitespace rules: trim, collapse runs, '▁' for spaces, a dummy '▁'
// prefix), and split into the pieces whose summed log-probabilities (scores) are highest, by Viterbi over the
// normalized bytes. A character no piece covers is the unknown token (a run of them: one unknown token), or
// its UTF-8 bytes as <0xXX> pieces when the model has byte fallback. Serves SentencePiece .model files
// (model_type UNIGRAM), HF tokenizer.json "Unigram" models and GGUF tokenizer.ggml.model "t5".
#pragma once

#include <array>
#include <memory>
#include <optional>

#include "absl/container/flat_hash_map.h"
#include "core/tokenizers/precompiled_charsmap.h"
#include "core/tokenizers/tokenizer.h"

namespace ttt::tokenizers {

struct UnigramOptions {
  bool add_dummy_prefix = true;  // '▁' before the text (before every fragment between special tokens)
  // HF Metaspace: no dummy prefix when the normalized text already starts with a space.
  bool dummy_prefix_unless_leading_space = false;
  // SentencePiece's remove_extra_whitespaces is both: drop leading and trailing spaces, collapse runs of them.
  // HF's newer converters write a Replace(" {2,}", " ") normalizer instead: collapse only.
  bool trim_whitespaces = true;
  bool collapse_whitespaces = true;
  bool escape_whitespaces = true;        // ' ' -> '▁'
  bool byte_fallback = false;            // unknown characters as <0xXX> pieces instead of the unknown token
  // HF's WhitespaceSplit / Metaspace(split): each '▁'-started word is segmented on its own, so no piece can
  // span two words. SentencePiece itself segments the whole normalized text.
  bool split_words = false;
  PrecompiledCharsMap charsmap;  // empty: only malformed UTF-8 is rewritten (to U+FFFD)
};

class UnigramTokenizer : public Tokenizer {
 public:
  // Needs an unknown token and one score per piece; errors name `source`.
  static absl::StatusOr<std::unique_ptr<UnigramTokenizer>> Create(Vocabulary vocab, UnigramOptions options,
                                                                  std::string_view source);

  std::string DecodeToken(int32_t id, int32_t previous) const override;
  const UnigramOptions& options() const { return options_; }

  // The normalized form of `text` that the segmentation sees ("▁Hello▁world"); exposed for tests and tools.
  std::string Normalize(std::string_view text) const;

 protected:
  absl::Status EncodeFragment(std::string_view fragment, FragmentPlace place,
                              std::vector<int32_t>* out) const override;

 private:
  UnigramTokenizer(Vocabulary vocab, UnigramOptions options);
  // Best segmentation of one normalized span into ids (unknown runs fused, byte fallback applied).
  void Segment(std::string_view normalized, std::vector<int32_t>* out) const;

  // A byte trie over the pieces that can be matched: node 0 is the root; child(node, byte) in `edges_`.
  int32_t Child(int32_t node, unsigned char byte) const;
  void InsertPiece(std::string_view piece, int32_t id);

  UnigramOptions options_;
  absl::flat_hash_map<uint64_t, int32_t> edges_;  // (node << 8 | byte) -> node
  std::vector<int32_t> node_id_;                  // per node: the piece ending there, or kNoToken
  float max_score_ = 0;                           // over normal pieces; user-defined pieces are scored from it
  float unknown_score_ = 0;                       // SentencePiece: lowest normal score minus 10
  std::array<int32_t, 256> byte_to_id_;
  std::vector<std::string> decoded_;  // per id: the text it contributes (without the start-of-text strip)
};

}  // namespace ttt::tokenizers
