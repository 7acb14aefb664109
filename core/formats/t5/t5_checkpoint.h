// T5-family encoder-decoder models from the files people have: a Hugging Face folder of a
// `T5ForConditionalGeneration` (config.json with model_type "t5" or "mt5", model.safetensors, tokenizer.json) or
// a llama.cpp GGUF of arch "t5" (as convert_hf_to_gguf.py writes it). The result is a validated Seq2SeqSpec and
// the weights under the pattern's canonical names (core/patterns/seq2seq).
//
// Supported: T5 v1.1 / flan-t5 / mT5 (feed_forward_proj "gated-gelu": a gated tanh-GELU MLP), original T5
// ("relu"), the other "[gated-]ACT" forms with ACT relu, gelu, gelu_new or silu (relu gated excepted), tied or
// untied heads. Refused with a message: other model types, a relative bias in layers other than the first
// (UMT5), encoder-only or decoder-only configs.
#pragma once

#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "core/formats/gguf/gguf_file.h"
#include "core/runtime/tensor.h"
#include "core/specs/proto/seq2seq.pb.h"
#include "core/specs/validated.h"

namespace ttt::formats {

struct Seq2SeqCheckpoint {
  Validated<spec::Seq2SeqSpec> spec;
  absl::flat_hash_map<std::string, Tensor> weights;  // canonical names
  std::string source;          // the path loaded
  std::string format;          // "hf" or "gguf"
  std::string tokenizer_path;  // tokenizer.json in the folder, or the .gguf itself; "" when none
};

// A folder with config.json, a .safetensors file inside one, or a .gguf file.
absl::StatusOr<Seq2SeqCheckpoint> LoadSeq2SeqCheckpoint(const std::string& path);

// config.json's text -> spec (not yet validated). Errors name the key, the file and what is supported.
absl::StatusOr<spec::Seq2SeqSpec> Seq2SeqSpecFromHfConfig(const std::string& config_json, const std::string& path);

// A GGUF of arch "t5" -> spec (not yet validated). The MLP is gated GELU when the file has ffn_gate tensors
// (llama.cpp's rule), ReLU otherwise; the head is tied when it has no output tensor.
absl::StatusOr<spec::Seq2SeqSpec> Seq2SeqSpecFromGguf(const GgufFile& gguf);

// Whether `path` is a checkpoint this reader handles (an HF folder whose config.json says model_type "t5" or
// "mt5", or a GGUF of arch "t5"), without loading weights: lets a front end route a path here.
bool IsSeq2SeqCheckpoint(const std::string& path);

}  // namespace ttt::formats
