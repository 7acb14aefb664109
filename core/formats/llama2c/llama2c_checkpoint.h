// llama2.c's legacy checkpoint (.bin): a 28-byte header of 7 little-endian int32 (dim, hidden_dim,
// n_layers, n_heads, n_kv_heads, vocab_size, seq_len; a negative vocab_size means the classifier is not
// tied to the embedding) followed by every weight as f32, layer-stacked, in the order of llama2.c's run.c.
#pragma once

#include <cstdint>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "core/runtime/tensor.h"
#include "core/specs/proto/model.pb.h"

namespace ttt::formats {

struct Llama2cConfig {
  int32_t dim = 0;
  int32_t hidden_dim = 0;
  int32_t n_layers = 0;
  int32_t n_heads = 0;
  int32_t n_kv_heads = 0;
  int32_t vocab_size = 0;  // always positive here; the sign in the file becomes shared_classifier
  int32_t seq_len = 0;
  bool shared_classifier = true;
};

struct Llama2cModel {
  Llama2cConfig config;
  spec::ModelSpec spec;  // not yet validated: the caller runs ValidateModel
  // Canonical weight names (see core/formats/checkpoint.h), zero-copy f32 views of the mapped file.
  absl::flat_hash_map<std::string, Tensor> weights;
};

// Reads and checks the header; the sizes it implies must fit in `file_size` bytes.
absl::StatusOr<Llama2cConfig> ParseLlama2cHeader(const unsigned char* data, size_t file_size,
                                                 const std::string& path);

// The model llama2.c's run.c computes: RMSNorm (eps 1e-5), SwiGLU, RoPE theta 10000 on interleaved pairs.
spec::ModelSpec Llama2cModelSpec(const Llama2cConfig& config);

absl::StatusOr<Llama2cModel> LoadLlama2c(const std::string& path);

}  // namespace ttt::formats
