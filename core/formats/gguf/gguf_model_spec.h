// GGUF metadata -> ModelSpec for the llama (also Mistral-style models, which llama.cpp files as llama),
// qwen2, gpt2 and mpt architectures (mpt: ALiBi from mpt.attention.max_alibi_bias, position bias kind "alibi",
// which contrib registers).
#pragma once

#include "absl/status/statusor.h"
#include "core/formats/gguf/gguf_file.h"
#include "core/specs/proto/model.pb.h"

namespace ttt::formats {

// Reads general.architecture and the {arch}.* hyper-parameters; the vocabulary size comes from
// {arch}.vocab_size or the length of tokenizer.ggml.tokens (or the token_embd.weight rows). llama.cpp's
// converter permutes llama Q/K rows so that RoPE pairs are adjacent: the spec's rope convention is
// INTERLEAVED for llama and ROTATE_HALF (NeoX) for qwen2. lm_head.tied is set when output.weight is absent.
// Not yet validated: the caller runs ValidateModel.
absl::StatusOr<spec::ModelSpec> ModelSpecFromGguf(const GgufFile& gguf);

}  // namespace ttt::formats
