#include "core/hwconfig/resolve.h"

#include <algorithm>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "core/hwconfig/module_defaults.h"
#include "core/blocks/model_modules.h"
#include "core/runtime/check.h"
#include "core/runtime/dtype_traits.h"
#include "core/runtime/status.h"
#include "core/specs/text_format.h"
#include "core/specs/validated.h"

namespace ttt {
namespace {

// The configurable module instances of a model by name: per layer (a heterogeneous stack may give a name a
// different kind in different layers: "mlp" is a dense MLP in some, a mixture of experts in others) and once
// per model.
struct ConfigurableModules {
  std::vector<std::map<std::string, const ModuleDescriptor*>> layers;
  std::map<std::string, const ModuleDescriptor*> model;
  // The distinct kinds named `name` in layers first..last.
  std::vector<const ModuleDescriptor*> InLayers(const std::string& name, size_t first, size_t last) const {
    std::vector<const ModuleDescriptor*> out;
    for (size_t l = first; l <= last && l < layers.size(); ++l) {
      auto it = layers[l].find(name);
      if (it != layers[l].end() && std::find(out.begin(), out.end(), it->second) == out.end()) out.push_back(it->second);
    }
    return out;
  }
  std::string LayerNames() const {
    std::set<std::string> names;
    for (const auto& layer : layers) {
      for (const auto& [name, d] : layer) names.insert(name);
    }
    return absl::StrJoin(names, ", ");
  }
  std::string Known() const {
    std::vector<std::string> names = {LayerNames()};
    for (const auto& [name, d] : model) names.push_back(name);
    return absl::StrJoin(names, ", ");
  }
};

absl::StatusOr<ConfigurableModules> ListConfigurable(const Validated<spec::ModelSpec>& spec,
                                                     const ModuleRegistry& kinds) {
  ConfigurableModules out;
  TTT_ASSIGN_OR_RETURN(const ModelModules modules, ListModelModules(spec, kinds));
  for (const auto& layer : modules.layers) {
    auto& named = out.layers.emplace_back();
    for (const ModuleInstance& m : layer) {
      if (m.descriptor->configurable()) named[m.name] = m.descriptor;
    }
  }
  for (const ModuleInstance& m : modules.model) {
    if (m.descriptor->configurable()) out.model[m.name] = m.descriptor;
  }
  return out;
}

std::vector<std::string> OpNames(const ModuleDescriptor& d) {
  std::vector<std::string> names;
  for (const OpDecl& op : d.ops) names.push_back(op.name);
  return names;
}

std::string LayersText(uint32_t first, uint32_t last) {
  return first == last ? absl::StrCat("layer ", first) : absl::StrCat("layers ", first, "-", last);
}

}  // namespace

absl::Status CheckModuleChange(const std::string& name, const ModuleDescriptor& d, const hw::ModuleHwConfig& change,
                               const std::string& where) {
  for (const hw::ModuleConfig* m : {&change.prefill(), &change.decode()}) {
    for (const auto& [op, unused] : m->ops()) {
      if (d.FindOp(op) == nullptr) {
        return absl::InvalidArgumentError(absl::StrCat(where, ": module '", name, "' has no op '", op,
                                                       "': its ops are ", absl::StrJoin(OpNames(d), ", ")));
      }
    }
    if (!d.has_kv_cache() && (m->kv_cache_dtype() != hw::DTYPE_UNSPECIFIED ||
                        m->kv_cache_layout() != hw::TENSOR_LAYOUT_UNSPECIFIED)) {
      return absl::InvalidArgumentError(absl::StrCat(where, ": module '", name,
                                                     "' has no KV cache: set kv_cache_* on a module that has one"));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> OverrideLayers(const hw::LayerOverride& o, int index, uint32_t num_layers,
                                           const std::string& source, uint32_t* first, uint32_t* last) {
  if (o.has_range()) {
    *first = o.range().first();
    *last = o.range().last();
  } else if (o.layers_case() == hw::LayerOverride::kLayer) {
    *first = *last = o.layer();
  } else {
    return absl::InvalidArgumentError(absl::StrCat(source, " override #", index + 1,
                                                   ": names no layers: add `layer: N` or `range { first: A last: B }`"));
  }
  if (*first > *last || *last >= num_layers) {
    return absl::InvalidArgumentError(absl::StrCat(source, " override #", index + 1, " names ", LayersText(*first, *last),
                                                   " but the model has layers 0-", num_layers - 1));
  }
  return absl::StrCat(source, " override #", index + 1, " (", LayersText(*first, *last), ")");
}

const ResolvedModuleConfig& ResolvedHwConfig::module(int64_t layer, const std::string& kind) const {
  const auto& modules = layer < 0 ? model_modules : layers.at(static_cast<size_t>(layer));
  auto it = modules.find(kind);
  TTT_CHECK(it != modules.end());
  return it->second;
}

std::string ResolvedHwConfig::Describe(int64_t only_layer) const {
  std::string out = absl::StrCat("device ", device.name(), ", mode ", ConfigModeName(mode), "\n");
  for (size_t l = 0; l < layers.size(); ++l) {
    if (only_layer >= 0 && static_cast<int64_t>(l) != only_layer) continue;
    for (const auto& [kind, config] : layers[l]) {
      for (const std::string& line : config.Describe()) absl::StrAppend(&out, "layer ", l, " ", kind, " ", line, "\n");
    }
  }
  for (const auto& [kind, config] : model_modules) {
    for (const std::string& line : config.Describe()) absl::StrAppend(&out, kind, " ", line, "\n");
  }
  return out;
}

absl::Status OverlayModelHwConfig(const Validated<spec::ModelSpec>& spec, const hw::ModelHwConfig& change,
                                  const std::string& source, ResolvedHwConfig* resolved) {
  TTT_ASSIGN_OR_RETURN(const ConfigurableModules modules, ListConfigurable(spec, *resolved->kinds));
  for (const auto& [name, module_change] : change.defaults()) {
    const auto in_model = modules.model.find(name);
    const bool per_model = in_model != modules.model.end();
    const std::vector<const ModuleDescriptor*> in_layers =
        per_model ? std::vector<const ModuleDescriptor*>{in_model->second} : modules.InLayers(name, 0, modules.layers.size());
    if (in_layers.empty()) {
      return absl::InvalidArgumentError(absl::StrCat(source, ": defaults name module kind '", name,
                                                     "', which has no hardware config: use one of ", modules.Known()));
    }
    for (const ModuleDescriptor* d : in_layers) {
      TTT_RETURN_IF_ERROR(CheckModuleChange(name, *d, module_change, absl::StrCat(source, " defaults")));
    }
    if (per_model) {
      resolved->model_modules.at(name).Apply(module_change, source);
    } else {
      for (auto& layer : resolved->layers) {
        if (auto it = layer.find(name); it != layer.end()) it->second.Apply(module_change, source);
      }
    }
  }
  const uint32_t num_layers = spec->num_layers();
  for (int i = 0; i < change.overrides_size(); ++i) {
    const hw::LayerOverride& o = change.overrides(i);
    uint32_t first = 0, last = 0;
    TTT_ASSIGN_OR_RETURN(const std::string where, OverrideLayers(o, i, num_layers, source, &first, &last));
    for (const auto& [name, module_change] : o.modules()) {
      const std::vector<const ModuleDescriptor*> kinds = modules.InLayers(name, first, last);
      if (kinds.empty()) {
        return absl::InvalidArgumentError(absl::StrCat(where, ": module '", name, "' is not in those layers: use one of ",
                                                       modules.LayerNames(), " (model-level modules go in `defaults`)"));
      }
      // Each kind the name has in these layers must take the change (a range over dense and MoE layers may
      // set only what both have: split the range otherwise).
      for (const ModuleDescriptor* d : kinds) TTT_RETURN_IF_ERROR(CheckModuleChange(name, *d, module_change, where));
      for (uint32_t l = first; l <= last; ++l) {
        if (auto m = resolved->layers[l].find(name); m != resolved->layers[l].end()) m->second.Apply(module_change, where);
      }
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<ResolvedHwConfig> ResolveHwConfig(const Validated<spec::ModelSpec>& spec, const hw::DeviceProfile& device,
                                                 hw::ConfigMode mode, const hw::ModelHwConfig* model_file,
                                                 const std::string& model_file_name, const HwShortcuts& shortcuts,
                                                 const ModuleRegistry& kinds) {
  if (mode == hw::CONFIG_MODE_UNSPECIFIED) mode = hw::ACCURACY;
  if (model_file != nullptr) {
    if (!model_file->device().empty() && model_file->device() != device.name()) {
      return absl::InvalidArgumentError(absl::StrCat(model_file_name, " is for device '", model_file->device(),
                                                     "' but the model is built for '", device.name(),
                                                     "': drop `device:` from the file or build for that device"));
    }
    if (model_file->mode() != hw::CONFIG_MODE_UNSPECIFIED && model_file->mode() != mode) {
      return absl::InvalidArgumentError(absl::StrCat(model_file_name, " is for ", ConfigModeName(model_file->mode()),
                                                     " mode but the model is built in ", ConfigModeName(mode),
                                                     " mode: drop `mode:` from the file or use that mode"));
    }
  }
  ResolvedHwConfig resolved;
  resolved.kinds = &kinds;
  resolved.device = device;
  resolved.mode = mode;
  // Steps 1-2 per module instance; instances that share a spec (every layer's, today) share the result.
  std::map<std::pair<const ModuleDescriptor*, const google::protobuf::Message*>, ResolvedModuleConfig> defaults;
  auto default_config = [&](const ModuleInstance& m) -> absl::StatusOr<ResolvedModuleConfig> {
    const auto key = std::make_pair(m.descriptor, &*m.spec);
    if (auto it = defaults.find(key); it != defaults.end()) return it->second;
    TTT_ASSIGN_OR_RETURN(ResolvedModuleConfig config, ModuleDefaultHwConfig(*m.descriptor, *m.spec, device, mode));
    return defaults[key] = std::move(config);
  };
  TTT_ASSIGN_OR_RETURN(const ModelModules modules, ListModelModules(spec, kinds));
  for (const auto& layer_modules : modules.layers) {
    auto& layer = resolved.layers.emplace_back();
    for (const ModuleInstance& m : layer_modules) {
      if (!m.descriptor->configurable()) continue;
      TTT_ASSIGN_OR_RETURN(layer[m.name], default_config(m));
    }
  }
  for (const ModuleInstance& m : modules.model) {
    if (!m.descriptor->configurable()) continue;
    TTT_ASSIGN_OR_RETURN(resolved.model_modules[m.name], default_config(m));
  }
  if (model_file != nullptr) {
    TTT_RETURN_IF_ERROR(OverlayModelHwConfig(spec, *model_file, absl::StrCat("model file ", model_file_name), &resolved));
  }
  // Shortcuts, on every configurable instance.
  auto for_each_module = [&](auto&& fn) {
    for (size_t l = 0; l < modules.layers.size(); ++l) {
      for (const ModuleInstance& m : modules.layers[l]) {
        if (m.descriptor->configurable()) fn(*m.descriptor, resolved.layers[l].at(m.name));
      }
    }
    for (const ModuleInstance& m : modules.model) {
      if (m.descriptor->configurable()) fn(*m.descriptor, resolved.model_modules.at(m.name));
    }
  };
  if (shortcuts.weights) {
    const std::string source = absl::StrCat("--weights ", absl::AsciiStrToLower(hw::DType_Name(*shortcuts.weights)));
    hw::OpConfig change;
    change.set_weight_dtype(*shortcuts.weights);
    for_each_module([&](const ModuleDescriptor& d, ResolvedModuleConfig& config) {
      for (const std::string& op : d.WeightOps()) {
        config.ApplyOp(Phase::kPrefill, op, change, source);
        config.ApplyOp(Phase::kDecode, op, change, source);
      }
    });
  }
  if (shortcuts.kv_cache) {
    hw::ModuleHwConfig change;
    change.mutable_prefill()->set_kv_cache_dtype(*shortcuts.kv_cache);
    change.mutable_decode()->set_kv_cache_dtype(*shortcuts.kv_cache);
    const std::string source = absl::StrCat("--kv-cache ", absl::AsciiStrToLower(hw::DType_Name(*shortcuts.kv_cache)));
    for_each_module([&](const ModuleDescriptor& d, ResolvedModuleConfig& config) {
      if (d.has_kv_cache()) config.Apply(change, source);
    });
  }
  return resolved;
}

absl::StatusOr<hw::ModelHwConfig> ParseModelHwConfig(const std::string& text, const std::string& name) {
  hw::ModelHwConfig config;
  absl::Status s = ParseTextProto(text, &config, name);
  if (!s.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(s.message(), " (a ttt.hw.ModelHwConfig, schema "
                                                   "core/hwconfig/proto/op_config.proto; `ttt config` prints valid keys)"));
  }
  return config;
}

absl::StatusOr<hw::ModelHwConfig> ReadModelHwConfigFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read hardware config '", path, "': check the path"));
  std::stringstream ss;
  ss << in.rdbuf();
  return ParseModelHwConfig(ss.str(), path);
}

absl::StatusOr<hw::ConfigMode> ParseConfigMode(const std::string& name) {
  const std::string n = absl::AsciiStrToLower(name);
  if (n == "performance" || n == "perf") return hw::PERFORMANCE;
  if (n == "accuracy" || n == "acc") return hw::ACCURACY;
  return absl::InvalidArgumentError(absl::StrCat("mode '", name, "': use performance or accuracy"));
}

absl::StatusOr<hw::DType> ParseHwDType(const std::string& name) {
  const DTypeTraits* t = FindDType(name);
  if (t == nullptr || t->hw_value == 0) {
    return absl::InvalidArgumentError(absl::StrCat("number format '", name, "': use f32, bf16, f16, int8, bfp8 or bfp4"));
  }
  return static_cast<hw::DType>(t->hw_value);
}

}  // namespace ttt
