// Loading a tokenizer from the files models ship with. LoadTokenizer detects the format; the specific
// loaders are for callers that know it.
#pragma once

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "core/formats/gguf/gguf_file.h"
#include "core/tokenizers/tokenizer.h"

namespace ttt::tokenizers {

// Detects the format from the name and the first bytes:
//   *.gguf or GGUF magic       -> the tokenizer embedded in the GGUF file
//   tokenizer.json, *.json     -> HF tokenizers JSON (vocab.json: with merges.txt beside it)
//   *.model / protobuf         -> SentencePiece ModelProto
//   *.bin                      -> llama2.c tokenizer.bin
//   a directory                -> its tokenizer.json, else vocab.json + merges.txt, else tokenizer.model
absl::StatusOr<std::unique_ptr<Tokenizer>> LoadTokenizer(const std::string& path);

// tokenizer.ggml.model "llama" (SentencePiece BPE with scores), "gpt2" (byte-level BPE with merges; the
// pre-tokenizer named by tokenizer.ggml.pre), "bert" (WordPiece) or "t5" (SentencePiece Unigram).
absl::StatusOr<std::unique_ptr<Tokenizer>> LoadTokenizerFromGguf(const formats::GgufFile& gguf);

// llama2.c's tokenizer.bin: int32 max_token_length, then per token float32 score, int32 length, bytes.
// The file does not store its token count; pass the model's vocab_size to have it checked (-1: don't).
absl::StatusOr<std::unique_ptr<Tokenizer>> LoadLlama2cTokenizer(const std::string& path,
                                                                int32_t expected_vocab_size = -1);

// SentencePiece tokenizer.model / spiece.model: BPE, or UNIGRAM (with its precompiled normalization rules).
absl::StatusOr<std::unique_ptr<Tokenizer>> LoadSentencePieceModel(const std::string& path);

// HF tokenizers' tokenizer.json with a BPE model, byte-level (GPT-2 style, with the file's Split/ByteLevel/
// Digits/Punctuation pre-tokenizers) or with byte fallback (Llama style), a WordPiece model (BERT) or a
// Unigram model (T5).
// Special-token ids come from the file, and bos/eos names from tokenizer_config.json beside it.
absl::StatusOr<std::unique_ptr<Tokenizer>> LoadHfTokenizerJson(const std::string& path);

// GPT-2's original files: vocab.json (piece -> id) and merges.txt (one "left right" pair per line).
absl::StatusOr<std::unique_ptr<Tokenizer>> LoadGpt2VocabAndMerges(const std::string& vocab_json_path,
                                                                  const std::string& merges_txt_path);

}  // namespace ttt::tokenizers
