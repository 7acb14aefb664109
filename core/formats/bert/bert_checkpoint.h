// BERT-style encoders from the files people have: a Hugging Face folder of a `BertModel` (config.json with
// model_type "bert", model.safetensors, tokenizer.json; sentence-transformers' modules.json and pooling
// config when present) or a llama.cpp GGUF of arch "bert" (as convert_hf_to_gguf.py writes it). The result
// is a validated EncoderSpec and the weights under the encoder's canonical names (core/patterns/encoder).
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/container/flat_hash_map.h"
#include "core/runtime/tensor.h"
#include "core/formats/gguf/gguf_file.h"
#include "core/specs/proto/encoder.pb.h"
#include "core/specs/validated.h"

namespace ttt::formats {

struct EncoderCheckpoint {
  Validated<spec::EncoderSpec> spec;
  absl::flat_hash_map<std::string, Tensor> weights;  // canonical names, checked against the spec's shapes by the blocks that load them
  std::string source;          // the path loaded
  std::string format;          // "hf" or "gguf"
  std::string tokenizer_path;  // tokenizer.json in the folder, or the .gguf itself; "" when none
};

// A folder with config.json, a .safetensors file inside one, or a .gguf file.
absl::StatusOr<EncoderCheckpoint> LoadEncoderCheckpoint(const std::string& path);

// config.json's text -> spec (not yet validated). Keys this reader does not use are ignored, as transformers
// ignores them and as the decoder readers do; a key it does use with an unsupported value (model_type,
// hidden_act, position_embedding_type, is_decoder) is an error naming the key, the file and what is supported.
absl::StatusOr<spec::EncoderSpec> EncoderSpecFromHfConfig(const std::string& config_json, const std::string& path);

// The pooling sentence-transformers declares in `dir` (modules.json -> the Pooling module's config.json);
// POOLING_UNSPECIFIED when the folder has none.
absl::StatusOr<spec::Pooling> SentenceTransformersPooling(const std::string& dir);

// A GGUF of arch "bert" -> spec (not yet validated); other archs are an error naming them.
absl::StatusOr<spec::EncoderSpec> EncoderSpecFromGguf(const GgufFile& gguf);

// Whether `path` looks like an encoder this reader handles (an HF folder whose config.json says model_type
// "bert", or a GGUF whose general.architecture is "bert"), without loading weights. Lets a front end route
// a path to LoadEncoder or to the decoder loader.
bool IsEncoderCheckpoint(const std::string& path);

}  // namespace ttt::formats
