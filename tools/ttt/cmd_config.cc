// ttt config: the resolved hardware config of a model on a device, with the source of every value, and
// the device compatibility check (every problem at once), without building the model.
#include <iostream>
#include <optional>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "core/factory/model_loader.h"
#include "core/factory/synthetic.h"
#include "core/formats/checkpoint.h"
#include "core/hwconfig/compatibility.h"
#include "core/hwconfig/device_registry.h"
#include "core/hwconfig/hw_enums.h"
#include "core/runtime/status.h"
#include "core/specs/validate.h"
#include "tools/ttt/command.h"
#include "tools/ttt/common.h"

namespace ttt::cli {
namespace {

absl::Status RunConfig(const std::vector<std::string>& argv) {
  Args args(argv);
  TTT_ASSIGN_OR_RETURN(BuildOptions build, BuildOptionsFromArgs(args));
  std::optional<Validated<spec::ModelSpec>> validated;
  std::string what;
  if (args.Has("shape")) {
    what = args.Get("shape");
    TTT_ASSIGN_OR_RETURN(spec::ModelSpec shape, NamedShape(what));
    TTT_ASSIGN_OR_RETURN(validated, ValidateModel(std::move(shape)));
  } else {
    what = args.Get("model", DemoModelPath());
    // Checkpoints map their tensors; nothing is converted or copied here.
    TTT_ASSIGN_OR_RETURN(formats::Checkpoint checkpoint, formats::LoadCheckpoint(what));
    validated = checkpoint.spec;
  }
  const spec::ModelSpec& spec = **validated;
  long long layer = -1, batch = 1, context = 0;
  TTT_RETURN_IF_ERROR(args.GetInt("layer", -1, &layer));
  TTT_RETURN_IF_ERROR(args.GetInt("batch", 1, &batch));
  TTT_RETURN_IF_ERROR(args.GetInt("context", 0, &context));
  TTT_RETURN_IF_ERROR(args.CheckAllUsed());
  if (layer >= static_cast<long long>(spec.num_layers())) {
    return absl::InvalidArgumentError(absl::StrCat("--layer ", layer, ": the model has layers 0-", spec.num_layers() - 1));
  }
  TTT_ASSIGN_OR_RETURN(hw::DeviceProfile device, GetDeviceProfile(build.device));
  HwShortcuts shortcuts;
  if (build.linear_weight_dtype) shortcuts.weights = ToHwDType(*build.linear_weight_dtype);
  if (build.kv_cache_dtype) shortcuts.kv_cache = ToHwDType(*build.kv_cache_dtype);
  TTT_ASSIGN_OR_RETURN(ResolvedHwConfig resolved,
                       ResolveHwConfig(*validated, device, build.mode, build.hw_config ? &*build.hw_config : nullptr,
                                       build.hw_config_name, shortcuts));
  std::cout << "model " << what << " (" << spec.num_layers() << " layers, hidden " << spec.hidden_dim() << ")\n";
  std::cout << resolved.Describe(layer);
  if (context <= 0) context = spec.max_seq_len();
  const ModelFootprint f = EstimateFootprint(*validated, resolved, batch, context);
  std::cout << absl::StrFormat("footprint: weights %.3f GiB + KV cache %.3f GiB (batch %lld, context %lld)\n",
                               f.weights() / (1 << 30), f.kv_cache / (1 << 30), batch, context);
  const std::vector<std::string> problems = CheckHardwareCompatibility(*validated, resolved, batch, context);
  if (problems.empty()) {
    std::cout << "compatible with " << device.name() << "\n";
    return absl::OkStatus();
  }
  std::cout << problems.size() << " problem(s) on " << device.name() << ":\n";
  for (const std::string& p : problems) std::cout << "  - " << p << "\n";
  return absl::FailedPreconditionError(absl::StrCat("the config does not fit ", device.name()));
}

TTT_COMMAND({"config", "resolved hardware config of a model on a device, with sources, and the device check",
             absl::StrCat("ttt config [--model PATH | --shape NAME] [--layer N] [--batch B] [--context T] ",
                          kHwFlagsUsage),
             RunConfig});

}  // namespace
}  // namespace ttt::cli
