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
  std::optional<DType> linear_weight_dtype;  // store the projections in f32, bf16, i8, bfp8 or bfp4 (default: the device's)
  std::string device = "cpu";                // run as this device does (its module defaults; Encoder::UseDevice)
  hw::ConfigMode mode = hw::ACCURACY;
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
