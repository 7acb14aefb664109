// One entry point for every checkpoint format: a Hugging Face folder (config.json + model.safetensors or
// a sharded index), a llama.cpp .gguf file, or a llama2.c legacy .bin. The result is a validated spec and
// the weights under canonical names (see canonical_weights.h), each checked against the spec's shapes.
#pragma once

#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "core/runtime/tensor.h"
#include "core/specs/proto/model.pb.h"
#include "core/specs/validated.h"

namespace ttt::formats {

struct Checkpoint {
  Validated<spec::ModelSpec> spec;
  // Canonical names; f32/f16/bf16 views of the mapped files where the layout allows (GPT-2's transposed
  // Conv1D weights and dequantised Q8_0 tensors are owned copies), in the file's dtype.
  absl::flat_hash_map<std::string, Tensor> weights;
  std::string source;          // the path loaded
  std::string format;          // "hf", "gguf" or "llama2c"
  // Best guess at the matching tokenizer: tokenizer.json / tokenizer.model in the HF folder, the .gguf
  // itself when it embeds one, tok<vocab>.bin or tokenizer.bin next to a llama2.c .bin; "" when none.
  std::string tokenizer_path;
};

absl::StatusOr<Checkpoint> LoadCheckpoint(const std::string& path);

}  // namespace ttt::formats
