// The mixture-of-experts part of a Hugging Face config (Mixtral, Qwen2-MoE), for hf_config.cc's Llama-family
// reader. Not installed (internal/).
#pragma once

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "core/formats/hf/internal/config_reader.h"
#include "core/specs/proto/model.pb.h"

namespace ttt::formats::internal {

// Mixtral's and Qwen2-MoE's mixture of experts, replacing the dense MLP of every layer (Qwen2-MoE's dense
// layers, if any, are set apart by QwenMoeDenseLayers).
absl::Status FillMoe(const ConfigReader& r, const std::string& type, uint32_t hidden, uint32_t intermediate,
                     spec::Activation act, spec::DecoderLayerSpec* layer);

// Qwen2-MoE's dense layers (Qwen2MoeDecoderLayer): those in mlp_only_layers, and those whose number plus one is
// not a multiple of decoder_sparse_step. They get a ModelSpec.layer_groups entry: the sparse layer with a gated
// MLP of intermediate_size instead of the experts (weights "mlp.gate_proj" ..., as Llama's). Every layer dense:
// ModelSpec.layer itself becomes the dense one.
absl::Status QwenMoeDenseLayers(const ConfigReader& r, uint32_t intermediate, spec::ModelSpec* s);

}  // namespace ttt::formats::internal
