#include "core/formats/hf/internal/hf_moe_config.h"

#include <algorithm>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/runtime/status.h"

namespace ttt::formats::internal {

absl::Status FillMoe(const ConfigReader& r, const std::string& type, uint32_t hidden, uint32_t intermediate,
                     spec::Activation act, spec::DecoderLayerSpec* layer) {
  const bool mixtral = type == "mixtral";
  TTT_ASSIGN_OR_RETURN(uint32_t experts, r.RequiredUint(mixtral ? "num_local_experts" : "num_experts", type));
  TTT_ASSIGN_OR_RETURN(uint32_t per_token, r.RequiredUint("num_experts_per_tok", type));
  spec::MoeSpec* moe = layer->mutable_moe();
  moe->set_hidden_dim(hidden);
  moe->set_num_experts(experts);
  moe->set_experts_per_token(per_token);
  moe->set_activation(act);
  if (mixtral) {
    moe->set_expert_dim(intermediate);
    moe->set_normalize_top_k(true);  // MixtralSparseMoeBlock always renormalises the top-k weights
    return absl::OkStatus();
  }
  TTT_ASSIGN_OR_RETURN(uint32_t expert_dim, r.RequiredUint("moe_intermediate_size", type));
  TTT_ASSIGN_OR_RETURN(uint32_t shared_dim, r.Uint("shared_expert_intermediate_size", 0));
  TTT_ASSIGN_OR_RETURN(bool norm_topk, r.Bool("norm_topk_prob", false));
  moe->set_expert_dim(expert_dim);
  moe->set_normalize_top_k(norm_topk);
  moe->set_shared_expert_dim(shared_dim);
  moe->set_shared_expert_gate(shared_dim > 0);  // Qwen2MoeSparseMoeBlock's shared_expert_gate
  return absl::OkStatus();
}

absl::Status QwenMoeDenseLayers(const ConfigReader& r, uint32_t intermediate, spec::ModelSpec* s) {
  TTT_ASSIGN_OR_RETURN(uint32_t sparse_step, r.Uint("decoder_sparse_step", 1));
  if (sparse_step == 0) return r.Error("decoder_sparse_step", "is 0; expected 1 (every layer sparse) or more");
  std::vector<uint32_t> dense_only;
  if (r.Has("mlp_only_layers")) {
    const nlohmann::json& listed = r.raw("mlp_only_layers");
    if (!listed.is_array()) return r.Error("mlp_only_layers", "is not a list of layer numbers");
    for (const nlohmann::json& v : listed) {
      if (!v.is_number_unsigned() || v.get<uint64_t>() >= s->num_layers()) {
        return r.Error("mlp_only_layers", absl::StrCat("holds ", v.dump(), ", not a layer number below num_hidden_layers (",
                                                       s->num_layers(), ")"));
      }
      dense_only.push_back(v.get<uint32_t>());
    }
  }
  spec::LayerGroup dense;
  for (uint32_t i = 0; i < s->num_layers(); ++i) {
    const bool listed = std::find(dense_only.begin(), dense_only.end(), i) != dense_only.end();
    if (listed || (i + 1) % sparse_step != 0) dense.add_layers(i);
  }
  if (dense.layers().empty()) return absl::OkStatus();
  spec::DecoderLayerSpec layer = s->layer();
  const spec::Activation act = layer.moe().activation();
  layer.clear_moe();
  spec::MlpSpec* mlp = layer.mutable_mlp();
  mlp->set_hidden_dim(s->hidden_dim());
  mlp->set_intermediate_dim(intermediate);
  mlp->set_activation(act);
  mlp->set_gated(true);
  if (static_cast<uint32_t>(dense.layers_size()) == s->num_layers()) {
    *s->mutable_layer() = std::move(layer);
    return absl::OkStatus();
  }
  *dense.mutable_layer() = std::move(layer);
  *s->add_layer_groups() = std::move(dense);
  return absl::OkStatus();
}

}  // namespace ttt::formats::internal
