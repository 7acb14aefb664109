// ttt config: the resolved hardware config of a model on a device, with the source of every value, and
// the device compatibility check (every problem at once), without building the model.
#include <iostream>
#include <map>
#include <optional>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "core/factory/model_loader.h"
#include "core/factory/synthetic.h"
#include "core/formats/checkpoint.h"
#include "core/blocks/model_modules.h"
#include "core/hwconfig/compatibility.h"
#include "core/hwconfig/device_registry.h"
#include "core/hwconfig/hw_enums.h"
#include "core/runtime/status.h"
#include "core/specs/validate.h"
#include "tools/ttt/command.h"
#include "tools/ttt/common.h"

namespace ttt::cli {
namespace {

// "0-3, 7": the layers a setting applies to, as runs.
std::string LayerRuns(const std::vector<size_t>& layers) {
  std::string out;
  for (size_t i = 0; i < layers.size();) {
    size_t j = i;
    while (j + 1 < layers.size() && layers[j + 1] == layers[j] + 1) ++j;
    absl::StrAppend(&out, out.empty() ? "" : ", ", layers[i], j > i ? absl::StrCat("-", layers[j]) : "");
    i = j + 1;
  }
  return out;
}

// Each module's settings once, with the layers they apply to: a 80-layer model's config in a screenful.
std::string Summary(const ResolvedHwConfig& resolved) {
  std::vector<std::pair<std::string, std::vector<size_t>>> lines;  // "kind setting" -> layers, first-seen order
  std::map<std::string, size_t> index;
  for (size_t l = 0; l < resolved.layers.size(); ++l) {
    for (const auto& [kind, config] : resolved.layers[l]) {
      for (const std::string& line : config.Describe()) {
        const std::string key = absl::StrCat(kind, " ", line);
        auto [it, added] = index.emplace(key, lines.size());
        if (added) lines.push_back({key, {}});
        lines[it->second].second.push_back(l);
      }
    }
  }
  std::string out = absl::StrCat("device ", resolved.device.name(), ", mode ", ConfigModeName(resolved.mode), "\n");
  for (const auto& [line, layers] : lines) {
    absl::StrAppend(&out, line, layers.size() == resolved.layers.size() ? "  [every layer]"
                                                                         : absl::StrCat("  [layers ", LayerRuns(layers), "]"),
                    "\n");
  }
  for (const auto& [kind, config] : resolved.model_modules) {
    for (const std::string& line : config.Describe()) absl::StrAppend(&out, kind, " ", line, "\n");
  }
  return out;
}

absl::Status RunConfig(const Args& args) {
  TTT_ASSIGN_OR_RETURN(BuildOptions build, BuildOptionsFromArgs(args));
  std::optional<Validated<spec::ModelSpec>> validated;
  std::string what;
  if (args.Has("shape")) {
    if (args.Has("model")) return absl::InvalidArgumentError("give --model PATH or --shape NAME, not both");
    what = args.Get("shape");
    TTT_ASSIGN_OR_RETURN(spec::ModelSpec shape, NamedShape(what));
    TTT_ASSIGN_OR_RETURN(validated, ValidateModel(std::move(shape)));
  } else {
    what = args.Has("model") ? args.Get("model") : DemoModelPath();
    // Checkpoints map their tensors; nothing is converted or copied here.
    TTT_ASSIGN_OR_RETURN(formats::Checkpoint checkpoint, formats::LoadCheckpoint(what));
    validated = checkpoint.spec;
  }
  const spec::ModelSpec& spec = **validated;
  long long layer = -1, batch = 1, context = 0;
  TTT_RETURN_IF_ERROR(args.GetInt("layer", &layer));
  TTT_RETURN_IF_ERROR(args.GetInt("batch", &batch));
  TTT_RETURN_IF_ERROR(args.GetInt("context", &context));
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
  // The verdict first: it is what people run this for; the settings follow.
  std::cout << "model " << what << " (" << spec.num_layers() << " layers, hidden " << spec.hidden_dim() << ")\n";
  if (context <= 0) context = spec.max_seq_len();
  const ModelFootprint f = EstimateFootprint(*validated, resolved, batch, context);
  std::cout << absl::StrFormat("footprint: weights %.3f GiB + KV cache %.3f GiB (batch %lld, context %lld)\n",
                               f.weights() / (1 << 30), f.kv_cache / (1 << 30), batch, context);
  if (device.num_chips() > 1) {  // what each chip holds under the tensor-parallel plan, checked against its DRAM
    TTT_ASSIGN_OR_RETURN(const ModelModules modules, ListModelModules(*validated, *resolved.kinds));
    const TensorParallelPlan plan = PlanForModel(modules, spec.hidden_dim(), device);
    const ModelFootprint chip = EstimateFootprint(*validated, resolved, batch, context, &plan);
    std::cout << absl::StrFormat("per chip (%d chips, tensor parallel): weights %.3f GiB + KV cache %.3f GiB of %.2f GiB\n",
                                 plan.chips, chip.weights() / (1 << 30), chip.kv_cache / (1 << 30),
                                 static_cast<double>(device.chip().dram_bytes()) / (1 << 30));
  }
  const std::vector<std::string> problems = CheckHardwareCompatibility(*validated, resolved, batch, context);
  if (problems.empty()) {
    std::cout << "compatible with " << device.name() << "\n";
  } else {
    std::cout << problems.size() << " problem(s) on " << device.name() << ":\n";
    for (const std::string& p : problems) std::cout << "  - " << p << "\n";
  }
  std::cout << "\n" << (args.Has("ops") || layer >= 0 ? resolved.Describe(layer) : Summary(resolved));
  if (!args.Has("ops") && layer < 0) std::cout << "(--ops: every layer's ops with their sources; --layer N: one layer's)\n";
  if (!problems.empty()) return absl::FailedPreconditionError(absl::StrCat("the config does not fit ", device.name()));
  return absl::OkStatus();
}

TTT_COMMAND({"config", "does a model fit a device: the verdict, then its resolved hardware config with sources",
             Flags({{{"-m,--model", "a model file or folder (default: the bundled demo)", ""},
                     {"--shape", "a named shape instead of a model (llama-70b, smollm-135m, ...)", ""},
                     {"--ops", "print every layer's ops with the source of each value", "", FlagKind::kSwitch},
                     {"--layer", "print one layer's ops (-1: the per-module summary)", "-1", FlagKind::kInt},
                     {"--batch", "sequences for the KV-cache footprint", "1", FlagKind::kInt},
                     {"--context", "tokens per sequence for the footprint (0: the model's maximum)", "0",
                      FlagKind::kInt}},
                    ThreadsFlag(), HardwareFlags()}),
             RunConfig});

}  // namespace
}  // namespace ttt::cli
