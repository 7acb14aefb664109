#include "core/blocks/attention/attention_hwconfig.h"

#include "absl/strings/str_cat.h"
#include "core/hwconfig/module_defaults.h"
#include "core/hwconfig/shape_rules.h"
#include "core/runtime/status.h"

namespace ttt {

absl::StatusOr<ResolvedModuleConfig> AttentionDefaultHwConfig(const spec::AttentionSpec& spec,
                                                              const hw::DeviceProfile& device, hw::ConfigMode mode) {
  TTT_ASSIGN_OR_RETURN(ResolvedModuleConfig config, ModuleBaseConfig("attention", device, mode));
  if (!IsTenstorrent(device)) return config;
  const int64_t hidden = spec.hidden_dim();
  const int64_t head_dim = spec.head_dim() ? spec.head_dim() : (spec.num_heads() ? hidden / spec.num_heads() : 0);
  const int64_t kv_heads = spec.num_kv_heads() ? spec.num_kv_heads() : spec.num_heads();
  if (mode == hw::ACCURACY && hidden >= 8192) {
    const std::string why = absl::StrCat("rule: hidden_dim ", hidden,
                                         " >= 8192 (70B-class) keeps BFP8 attention at HiFi2 in accuracy mode");
    hw::OpConfig linear;
    linear.set_weight_dtype(hw::BFP8);
    linear.set_math_fidelity(hw::HIFI2);
    hw::ModuleHwConfig change;
    for (hw::ModuleConfig* m : {change.mutable_prefill(), change.mutable_decode()}) {
      (*m->mutable_ops())["wqkv"] = linear;
      (*m->mutable_ops())["wo"] = linear;
      m->set_kv_cache_dtype(hw::BFP8);
    }
    (*change.mutable_decode()->mutable_ops())["sdpa"].set_math_fidelity(hw::HIFI2);
    config.Apply(change, why);
  }
  const int64_t qkv_width = (spec.num_heads() + 2 * kv_heads) * head_dim;
  ApplyLayoutRules(config, hw::DECODE, "wqkv", kTileSize, qkv_width, device);
  ApplyLayoutRules(config, hw::DECODE, "wo", kTileSize, hidden, device);
  ApplyLayoutRules(config, hw::DECODE, "sdpa", kTileSize, spec.num_heads() * head_dim, device);
  return config;
}

}  // namespace ttt
