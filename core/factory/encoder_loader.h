// The encoder front door: a BERT-style Hugging Face folder or GGUF file becomes a ready Encoder and its
// tokenizer (tokenizer.json in the folder, or the GGUF's own vocabulary).
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "core/patterns/encoder/encoder.h"
#include "core/runtime/tensor.h"
#include "core/tokenizers/tokenizer.h"

namespace ttt {

struct EncoderLoadOptions {
  std::string tokenizer_path;             // empty: the one the checkpoint ships
  bool require_tokenizer = true;          // NotFound when none is found and this is set
  // What it runs as: the device and mode whose module defaults its projections take, a model-level config
  // (--hw-config) and the --weights shortcut over them (Encoder::UseDevice).
  DeviceOptions run_as;
};

struct LoadedEncoder {
  std::unique_ptr<Encoder> encoder;
  std::unique_ptr<tokenizers::Tokenizer> tokenizer;  // null only when not required and none was found
  std::string source;                                // the path loaded, for messages
  std::string format;                                // "hf" or "gguf"
};

// Also registers the encoder's module descriptor (RegisterEncoder), so `ttt modules` lists it.
absl::StatusOr<LoadedEncoder> LoadEncoder(const std::string& path, const EncoderLoadOptions& options = {});

}  // namespace ttt
