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
  std::optional<DType> linear_weight_dtype;   // store the projections in f32, bf16, i8, bfp8 or bfp4 (default: the device's)
  std::string device = "cpu";                 // run as this device does (its module defaults; Seq2SeqLm::UseDevice)
  hw::ConfigMode mode = hw::ACCURACY;
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
