// The hardware-config engine: resolves what every op of a model runs with on a device, step by step,
// recording where each value came from. Resolution order (a later step wins where it sets a field):
//   1. module default      hwconfig/modules/<kind>.textproto [<device> <mode>]
//   2. module rules        the block's DefaultHwConfig (e.g. "rule: hidden_dim 8192 >= 8192 ...")
//   3. model-level file    ModelHwConfig.defaults ("model file <name>")
//   4. layer overrides     ModelHwConfig.overrides in order ("model file <name> override #<i> (layers a-b)")
//   5. shortcuts           --weights (weight dtype of every linear op), --kv-cache
//   6. ApplyHwConfig       at run time, on a built model (CausalLm::ApplyHwConfig)
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "core/blocks/module_registry.h"
#include "core/hwconfig/proto/device_profile.pb.h"
#include "core/hwconfig/proto/op_config.pb.h"
#include "core/hwconfig/resolved_config.h"
#include "core/specs/proto/model.pb.h"
#include "core/specs/validated.h"

namespace ttt {

// The resolved config of a whole model.
struct ResolvedHwConfig {
  // The module kinds the model was resolved with (its own table, or the global one); the device check and
  // later overlays (ApplyHwConfig) look its modules up here. Outlives the config (the model owns it).
  const ModuleRegistry* kinds = &ModuleRegistry::Global();
  hw::DeviceProfile device;
  hw::ConfigMode mode = hw::ACCURACY;
  std::vector<std::map<std::string, ResolvedModuleConfig>> layers;  // per layer: "attention", "mlp"
  std::map<std::string, ResolvedModuleConfig> model_modules;        // once per model: "lm_head"

  // layer < 0: a model-level module. Aborts on an unknown module (callers name known ones).
  const ResolvedModuleConfig& module(int64_t layer, const std::string& kind) const;
  // The lines `ttt config` prints: every op field of every module (of one layer when `layer` >= 0, plus
  // the model-level modules), with its source.
  std::string Describe(int64_t only_layer = -1) const;
};

// Shortcuts of the command line, applied after the model file (step 5).
struct HwShortcuts {
  std::optional<hw::DType> weights;   // --weights: every linear op's weight dtype, both execution modes
  std::optional<hw::DType> kv_cache;  // --kv-cache
};

// Steps 1-5. `model_file` may be null; `model_file_name` names it in sources and errors. Errors (an unknown
// module kind, op name or layer in the file, a device/mode the file contradicts) name the file and the fix.
absl::StatusOr<ResolvedHwConfig> ResolveHwConfig(const Validated<spec::ModelSpec>& spec, const hw::DeviceProfile& device,
                                                 hw::ConfigMode mode, const hw::ModelHwConfig* model_file = nullptr,
                                                 const std::string& model_file_name = "model file",
                                                 const HwShortcuts& shortcuts = {},
                                                 const ModuleRegistry& kinds = ModuleRegistry::Global());

// Overlays a model-level config's defaults and overrides onto `resolved` (steps 3-4, and step 6 with
// source "ApplyHwConfig"). `spec` gives the layer count for checks.
absl::Status OverlayModelHwConfig(const Validated<spec::ModelSpec>& spec, const hw::ModelHwConfig& change,
                                  const std::string& source, ResolvedHwConfig* resolved);

// Checks that `change` names only ops module `name` (of kind `d`) has, and a KV cache only where there is one;
// errors name `where`.
absl::Status CheckModuleChange(const std::string& name, const ModuleDescriptor& d, const hw::ModuleHwConfig& change,
                               const std::string& where);

// The layers [first, last] that override #index (0-based) of `source` names, checked against `num_layers`;
// returns how errors and sources name it ("<source> override #2 (layers 0-3)").
absl::StatusOr<std::string> OverrideLayers(const hw::LayerOverride& o, int index, uint32_t num_layers,
                                           const std::string& source, uint32_t* first, uint32_t* last);

// Parses a ModelHwConfig in text format; an unknown key or bad value is an error naming `name`, the line
// and the column.
absl::StatusOr<hw::ModelHwConfig> ParseModelHwConfig(const std::string& text, const std::string& name);
absl::StatusOr<hw::ModelHwConfig> ReadModelHwConfigFile(const std::string& path);

// "performance" | "accuracy" (also "perf", "acc").
absl::StatusOr<hw::ConfigMode> ParseConfigMode(const std::string& name);
// "f32", "bf16", "int8"/"i8", "bfp8", "bfp4", "f16" (case-insensitive).
absl::StatusOr<hw::DType> ParseHwDType(const std::string& name);

}  // namespace ttt
