#include "core/blocks/lm_head/lm_head_hwconfig.h"

#include "core/hwconfig/module_defaults.h"
#include "core/hwconfig/shape_rules.h"
#include "core/runtime/status.h"

namespace ttt {

absl::StatusOr<ResolvedModuleConfig> LmHeadDefaultHwConfig(const spec::LmHeadSpec& spec,
                                                           const hw::DeviceProfile& device, hw::ConfigMode mode) {
  TTT_ASSIGN_OR_RETURN(ResolvedModuleConfig config, ModuleBaseConfig("lm_head", device, mode));
  ApplyLayoutRules(config, hw::DECODE, "lm_head", kTileSize, spec.vocab_size(), device);
  return config;
}

}  // namespace ttt
