// CausalLm's hardware-config side: turning a resolved config into specialised projections (weight formats
// per op and phase, Tenstorrent numerics on emulated devices, the KV-cache format), at build time and
// again at run time (ApplyHwConfig).
#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "core/blocks/module_registry.h"
#include "core/blocks/linear/decode_arena.h"
#include "core/hwconfig/compatibility.h"
#include "core/hwconfig/hw_enums.h"
#include "core/hwconfig/module_defaults.h"
#include "core/patterns/causal_lm.h"
#include "core/hwconfig/specialize_block.h"
#include "core/patterns/tensor_parallel_lm.h"
#include "core/runtime/status.h"

namespace ttt {

absl::Status CausalLm::Specialize(std::shared_ptr<const ResolvedHwConfig> config, WeightCache* cache,
                                  const std::string& weight_source) {
  const bool tt = IsTenstorrent(config->device);
  // Every configured module has a block and every configurable block a config (a mismatch is a programming
  // error in a pattern, reported rather than run with defaults). Blocks of kinds without default configs keep
  // the f32 CPU execution they were built with.
  auto specialize_all = [&](const std::map<std::string, ResolvedModuleConfig>& modules,
                            const std::vector<std::pair<std::string, Block*>>& blocks,
                            const std::string& where) -> absl::Status {
    size_t configurable = 0;
    for (const auto& [name, block] : blocks) {
      if (!block->descriptor().configurable()) continue;
      ++configurable;
      auto it = modules.find(name);
      if (it == modules.end()) {
        return absl::InternalError(absl::StrCat(where, ": block '", name, "' has no resolved hardware config"));
      }
      TTT_RETURN_IF_ERROR(SpecializeBlock(*block, it->second, tt, cache, weight_source));
    }
    if (configurable != modules.size()) {
      return absl::InternalError(absl::StrCat(where, ": ", configurable, " configurable block(s) but ", modules.size(),
                                              " configured module(s)"));
    }
    return absl::OkStatus();
  };
  for (auto& layer : layers_) {
    const int64_t i = layer->index();
    TTT_RETURN_IF_ERROR(specialize_all(config->layers.at(i), layer->blocks(), absl::StrCat("layer ", i)));
  }
  TTT_RETURN_IF_ERROR(specialize_all(config->model_modules, {{"lm_head", &lm_head_}}, "model"));
  // One KV cache holds every layer's keys and values, in one format (the device check requires they agree).
  std::optional<hw::DType> kv;
  for (const auto& layer : config->layers) {
    for (const auto& [name, module] : layer) {
      const ModuleDescriptor* d = config->kinds->FindKind(module.kind());
      if (!kv && d != nullptr && d->has_kv_cache()) kv = module.mode(Phase::kDecode).kv_cache_dtype();
    }
  }
  if (kv) {
    DType dtype = DType::kF32;
    if (*kv) {
      TTT_ASSIGN_OR_RETURN(dtype, ToRuntimeDType(*kv));
    }
    if (!KvCache::IsSupportedDType(dtype)) {
      return absl::InvalidArgumentError(absl::StrCat("the KV cache cannot be stored as ", DTypeName(dtype),
                                                     ": use f32, bf16 or bfp8"));
    }
    kv_cache_dtype_ = dtype;
  }
  hw_config_ = std::move(config);
  PackDecodeWeights(DecodeProjections(), embedding_.table().raw_data());
  PackTiedHead();
  return absl::OkStatus();
}

// PackDecodeWeights leaves a tied head alone (a copy would hold the table twice), so it ran the row GEMV: a
// fifth of a SmolLM-135M decode step's FLOPs, and the part that gains most from batching. Packed into
// panels here, the head and the embedding share the one packed table (the embedding gathers its rows).
void CausalLm::PackTiedHead() {
  Linear& head = lm_head_.mutable_projection();
  const Tensor& table = embedding_.table();
  if (!PanelsEnabled() || head.weight().panels || head.weight().values.raw_data() != table.raw_data() ||
      !head.CanUsePanels() || table.dtype() != DType::kF32 || !table.is_contiguous()) {
    return;
  }
  head.MoveDecodeValues(Tensor::Empty(DType::kF32, table.shape()), /*panels=*/true);
  embedding_.ShareTiedHeadPanels(head.weight().values);
}

absl::Status CausalLm::ApplyHwConfig(const hw::ModelHwConfig& change, const std::string& source) {
  auto next = std::make_shared<ResolvedHwConfig>(*hw_config_);
  TTT_RETURN_IF_ERROR(OverlayModelHwConfig(spec_, change, source, next.get()));
  TTT_RETURN_IF_ERROR(ValidateHwConfig(spec_, *next, 1, 1));
  if (tp_ != nullptr) {  // the other in-process ranks, each from its own config (it differs only in its shards)
    for (auto& peer : tp_->peers) TTT_RETURN_IF_ERROR(peer->ApplyHwConfig(change, source));
  }
  return Specialize(std::move(next), nullptr, "");
}

}  // namespace ttt
