// The encoder-decoder front door: a T5-family Hugging Face folder or GGUF file becomes a ready Seq2SeqLm and its
// tokenizer (tokenizer.json in the folder, or the GGUF's own vocabulary).
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "core/patterns/seq2seq/seq2seq_lm.h"
#include "core/runtime/tensor.h"
#include "core/tokenizers/tokenizer.h"

namespace ttt {

struct Seq2SeqLoadOptions {
  std::string tokenizer_path;                 // empty: the one the checkpoint ships
  bool require_tokenizer = true;              // NotFound when none is found and this is set
  // What it runs as: the device and mode whose module defaults its projections take, a model-level config
  // (--hw-config) and the --weights shortcut over them (Seq2SeqLm::UseDevice).
  DeviceOptions run_as;
};

struct LoadedSeq2Seq {
  std::unique_ptr<Seq2SeqLm> model;
  std::unique_ptr<tokenizers::Tokenizer> tokenizer;  // null only when not required and none was found
  std::string source;                                // the path loaded, for messages
  std::string format;                                // "hf" or "gguf"
};

// Also registers the pattern's module descriptors (RegisterSeq2Seq), so `ttt modules` lists them.
absl::StatusOr<LoadedSeq2Seq> LoadSeq2Seq(const std::string& path, const Seq2SeqLoadOptions& options = {});

}  // namespace ttt
