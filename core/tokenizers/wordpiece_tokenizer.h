// WordPiece (BERT): BERT normalization and word splitting (bert_pretokenizer.h), then within each word the
// longest piece in the vocabulary, again and again from where the last one ended; a word that cannot be
// covered entirely becomes the unknown token, as a whole.
#pragma once

#include <memory>
#include <string>

#include "core/tokenizers/bert_pretokenizer.h"
#include "core/tokenizers/tokenizer.h"

namespace ttt::tokenizers {

struct WordPieceOptions {
  BertNormalization normalization;
  // How the vocabulary marks where a piece sits in a word. HF spells pieces that continue a word "##ing";
  // llama.cpp's GGUF converter rewrites them to "ing" and spells word starts "▁play" instead.
  std::string word_start_prefix;           // "" (HF) or "▁" (GGUF)
  std::string continuation_prefix = "##";  // "##" (HF) or "" (GGUF)
  int max_chars_per_word = 100;            // longer words become the unknown token, as in HF
};

class WordPieceTokenizer : public Tokenizer {
 public:
  // The vocabulary must have an unknown token. Errors name `source`.
  static absl::StatusOr<std::unique_ptr<WordPieceTokenizer>> Create(Vocabulary vocab, WordPieceOptions options,
                                                                    std::string_view source);

  // A word-start piece decodes with a space before it, except at the start of the text or after a control
  // token ([CLS]); continuation pieces decode as they are.
  std::string DecodeToken(int32_t id, int32_t previous) const override;

 protected:
  absl::Status EncodeFragment(std::string_view fragment, FragmentPlace place,
                              std::vector<int32_t>* out) const override;

 private:
  WordPieceTokenizer(Vocabulary vocab, WordPieceOptions options);
  void EncodeWord(const std::string& word, std::vector<int32_t>* out) const;

  WordPieceOptions options_;
  size_t longest_piece_ = 0;          // in bytes, with its prefix: no longer lookup can succeed
  std::vector<std::string> decoded_;  // per id: the text it contributes after another word
};

}  // namespace ttt::tokenizers
