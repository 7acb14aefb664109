#include "core/blocks/mlp/mlp_hwconfig.h"

#include "absl/strings/str_cat.h"
#include "core/hwconfig/module_defaults.h"
#include "core/hwconfig/shape_rules.h"
#include "core/runtime/status.h"

namespace ttt {

absl::StatusOr<ResolvedModuleConfig> MlpDefaultHwConfig(const spec::MlpSpec& spec, const hw::DeviceProfile& device,
                                                        hw::ConfigMode mode) {
  TTT_ASSIGN_OR_RETURN(ResolvedModuleConfig config, ModuleBaseConfig("mlp", device, mode));
  if (!IsTenstorrent(device)) return config;
  const int64_t hidden = spec.hidden_dim(), inter = spec.intermediate_dim();
  if (mode == hw::ACCURACY && hidden >= 8192) {
    hw::OpConfig ff1_3;
    ff1_3.set_weight_dtype(hw::BFP4);
    ff1_3.set_math_fidelity(hw::LOFI);
    const std::string why =
        absl::StrCat("rule: hidden_dim ", hidden, " >= 8192 (70B-class) keeps ff1_3 BFP4 at LoFi in accuracy mode");
    config.ApplyOp(hw::PREFILL, "ff1_3", ff1_3, why);
    config.ApplyOp(hw::DECODE, "ff1_3", ff1_3, why);
  }
  ApplyLayoutRules(config, hw::DECODE, "ff1_3", kTileSize, (spec.gated() ? 2 : 1) * inter, device);
  ApplyLayoutRules(config, hw::DECODE, "ff2", kTileSize, hidden, device);
  return config;
}

}  // namespace ttt
