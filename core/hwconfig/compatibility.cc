#include "core/hwconfig/compatibility.h"

#include <algorithm>
#include <map>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "core/hwconfig/device_registry.h"
#include "core/hwconfig/hw_enums.h"
#include "core/hwconfig/module_defaults.h"
#include "core/blocks/module_registry.h"
#include "core/hwconfig/shape_rules.h"
#include "core/blocks/model_modules.h"
#include "core/runtime/dtype_traits.h"
#include "core/runtime/status.h"
#include "core/specs/proto/attention.pb.h"
#include "core/specs/validated.h"

namespace ttt {
namespace {

std::string GiB(double bytes) { return absl::StrFormat("%.2f GiB", bytes / (1024.0 * 1024 * 1024)); }
std::string Lower(hw::DType d) { return absl::AsciiStrToLower(hw::DType_Name(d)); }

template <typename List, typename Name>
std::string Listed(const List& list, Name&& name) {
  std::vector<std::string> names;
  for (auto v : list) names.push_back(name(v));
  return absl::StrJoin(names, ", ");
}

double WeightBytes(const ResolvedModuleConfig* config, const OpInfo& op, hw::DType fallback) {
  const double values = static_cast<double>(op.out) * op.in;
  if (config == nullptr) return values * BytesPerValue(fallback);
  const hw::DType decode = config->op(Phase::kDecode, op.name).weight_dtype();
  const hw::DType prefill = config->op(Phase::kPrefill, op.name).weight_dtype();
  double bytes = values * BytesPerValue(decode ? decode : fallback);
  // Prefill and decode in different formats keep both copies (core/blocks/linear/linear.h).
  if (prefill && decode && prefill != decode) bytes += values * BytesPerValue(prefill);
  return bytes;
}

const ResolvedModuleConfig* Find(const std::map<std::string, ResolvedModuleConfig>& modules, const std::string& name) {
  auto it = modules.find(name);
  return it == modules.end() ? nullptr : &it->second;
}

}  // namespace

double ModelFootprint::weights() const {
  double sum = 0;
  for (const auto& [group, bytes] : weights_by_group) sum += bytes;
  return sum;
}

void ModelFootprint::AddWeights(const std::string& group, double bytes) {
  for (auto& [g, b] : weights_by_group) {
    if (g == group) { b += bytes; return; }
  }
  weights_by_group.emplace_back(group, bytes);
}

ModelFootprint EstimateFootprint(const Validated<spec::ModelSpec>& spec, const ResolvedHwConfig& config, int64_t batch,
                                 int64_t context, const TensorParallelPlan* plan) {
  if (context <= 0) context = spec->max_seq_len();
  ModelFootprint f;
  const hw::DType fallback = IsTenstorrent(config.device) ? hw::BF16 : hw::F32;
  // Embedding tables and norms are gathered or applied in the device's natural format, never converted.
  auto add = [&](const ModuleInstance& m, const ResolvedModuleConfig* module) {
    const ModuleDescriptor& d = *m.descriptor;
    double bytes = 0;
    for (const OpInfo& op : d.Ops(*m.spec)) {
      if (!op.weight) continue;
      const OpSplit split = plan ? plan->SplitOf(d.kind, op.name) : OpSplit{};
      bytes += WeightBytes(module, op, fallback) / (split.out_ways * split.in_ways);
    }
    if (d.other_weight_values) {
      const int ways = plan && d.kind == "token_embedding" ? plan->embedding_ways : 1;
      bytes += d.other_weight_values(*m.spec) * BytesPerValue(fallback) / ways;
    }
    f.AddWeights(d.footprint_group, bytes);
    if (d.has_kv_cache()) {
      const hw::DType kv = module ? module->mode(Phase::kDecode).kv_cache_dtype() : hw::DTYPE_UNSPECIFIED;
      double share = 1;  // other caching kinds are costed replicated on every chip
      if (plan && d.kind == "attention") {
        const int64_t heads = static_cast<const spec::AttentionSpec&>(*m.spec).num_kv_heads();
        share = static_cast<double>(plan->KvHeadsPerChip(heads)) / heads;
      }
      f.kv_cache += static_cast<double>(batch) * context * d.kv_cache_values(*m.spec) * share *
                    BytesPerValue(kv ? kv : fallback);
    }
  };
  const auto listed = ListModelModules(spec, *config.kinds);
  if (!listed.ok()) return f;  // a spec no model can be built from has no footprint (the check says why)
  const ModelModules& modules = *listed;
  for (size_t l = 0; l < modules.layers.size(); ++l) {
    for (const ModuleInstance& m : modules.layers[l]) {
      add(m, l < config.layers.size() ? Find(config.layers[l], m.name) : nullptr);
    }
  }
  for (const ModuleInstance& m : modules.model) add(m, Find(config.model_modules, m.name));
  return f;
}

double ModuleWeightBytes(const ModuleDescriptor& descriptor, const google::protobuf::Message& spec,
                         const ResolvedModuleConfig* module, const hw::DeviceProfile& device) {
  const hw::DType natural = IsTenstorrent(device) ? hw::BF16 : hw::F32;
  double bytes = 0;
  for (const OpInfo& op : descriptor.Ops(spec)) {
    if (op.weight) bytes += WeightBytes(module, op, natural);
  }
  if (descriptor.other_weight_values) bytes += descriptor.other_weight_values(spec) * BytesPerValue(natural);
  return bytes;
}

absl::Status CheckWeightsFitOneChip(const std::string& what, double weight_bytes,
                                    absl::FunctionRef<double()> bfp4_weight_bytes, const hw::DeviceProfile& device) {
  const double dram = static_cast<double>(device.chip().dram_bytes());
  if (!IsTenstorrent(device) || weight_bytes <= dram) return absl::OkStatus();
  std::vector<std::string> options;
  if (const double bfp4 = bfp4_weight_bytes(); bfp4 > 0 && bfp4 < weight_bytes) {
    options.push_back(absl::StrCat("bfp4 weights for every linear op (--weights bfp4): ", GiB(bfp4),
                                   bfp4 <= dram ? ", fits" : ", still too big"));
  }
  std::vector<std::string> bigger;
  for (const std::string& name : DeviceNames()) {
    auto other = ParseEmbeddedDeviceProfile(name);
    if (!other.ok() || other->kind() == hw::CPU) continue;
    const double cap = static_cast<double>(other->chip().dram_bytes());
    if (weight_bytes <= cap) bigger.push_back(absl::StrCat(name, " (", GiB(cap), " per chip)"));
  }
  if (!bigger.empty()) options.push_back(absl::StrCat("a device with more DRAM per chip: ", absl::StrJoin(bigger, ", ")));
  return absl::FailedPreconditionError(absl::StrCat(
      what, " does not fit one ", device.name(), " chip: its weights take ", GiB(weight_bytes), " > ", GiB(dram),
      " of DRAM (it runs on one chip: no tensor parallelism for this pattern). Options: ",
      options.empty() ? "none found" : absl::StrJoin(options, "; ")));
}

std::vector<std::string> CheckHardwareCompatibility(const Validated<spec::ModelSpec>& spec, const ResolvedHwConfig& config,
                                                    int64_t batch, int64_t context) {
  if (context <= 0) context = spec->max_seq_len();
  if (batch <= 0) batch = 1;
  const hw::DeviceProfile& dev = config.device;
  const hw::ChipProfile& chip = dev.chip();
  const bool tt = IsTenstorrent(dev);
  auto has = [](const auto& list, auto v) { return std::find(list.begin(), list.end(), v) != list.end(); };
  auto dtype_list = [&](const auto& list) { return Listed(list, [](int d) { return Lower(static_cast<hw::DType>(d)); }); };

  // Problem text (without the layer) -> layers it applies to; -1 = model-level.
  std::vector<std::pair<std::string, std::vector<int64_t>>> problems;
  auto add = [&](int64_t layer, const std::string& text) {
    for (auto& [t, layers] : problems) {
      if (t == text) { layers.push_back(layer); return; }
    }
    problems.push_back({text, {layer}});
  };

  const auto listed = ListModelModules(spec, *config.kinds);
  if (!listed.ok()) return {std::string(listed.status().message())};
  const ModelModules& modules = *listed;
  auto check_module = [&](int64_t layer, const ModuleInstance& instance, const ResolvedModuleConfig& module) {
    const std::string& kind = instance.name;
    std::map<std::string, int64_t> widths;
    for (const OpInfo& op : instance.descriptor->Ops(*instance.spec)) widths[op.name] = op.out;
    for (Phase mode : {Phase::kPrefill, Phase::kDecode}) {
      const std::string mode_name = PhaseName(mode);
      for (const auto& [op, c] : module.mode(mode).ops()) {
        const std::string where = absl::StrCat(kind, " op ", op, " (", mode_name, ")");
        if (c.weight_dtype() && !has(chip.weight_dtypes(), c.weight_dtype())) {
          add(layer, absl::StrCat(where, ": ", dev.name(), " cannot store weights as ", Lower(c.weight_dtype()),
                                  " [", module.source(OpFieldPath(mode, op, "weight_dtype")), "]: it has ",
                                  dtype_list(chip.weight_dtypes()), "; pick one of those"));
        }
        for (auto [field, d] : {std::pair<const char*, hw::DType>{"activation_dtype", c.activation_dtype()},
                                {"output_dtype", c.output_dtype()}}) {
          if (d && !has(chip.activation_dtypes(), d)) {
            add(layer, absl::StrCat(where, ": ", dev.name(), " cannot compute with ", field, " ", Lower(d), " [",
                                    module.source(OpFieldPath(mode, op, field)), "]: it has ",
                                    dtype_list(chip.activation_dtypes())));
          }
        }
        if (c.math_fidelity() && !has(chip.math_fidelities(), c.math_fidelity())) {
          add(layer, absl::StrCat(where, ": ", dev.name(), " has no math fidelity ",
                                  hw::MathFidelity_Name(c.math_fidelity()),
                                  chip.math_fidelities().empty()
                                      ? " (it computes in f32): remove math_fidelity or use a Tenstorrent device"
                                      : absl::StrCat(": it has ", Listed(chip.math_fidelities(), [](int f) {
                                                       return hw::MathFidelity_Name(static_cast<hw::MathFidelity>(f));
                                                     }))));
        }
        const int64_t rows = mode == Phase::kDecode ? batch : context;
        const int64_t cols = widths.count(op) ? widths.at(op) : 0;
        if (!tt && (c.placement() == hw::L1 || (c.layout() && c.layout() != hw::INTERLEAVED))) {
          add(layer, absl::StrCat(where, ": ", dev.name(), " has no L1 or sharded layouts (",
                                  hw::MemoryPlacement_Name(c.placement()), ", ", hw::TensorLayout_Name(c.layout()),
                                  "): use placement DRAM and layout INTERLEAVED, or a Tenstorrent device"));
          continue;
        }
        if (!tt) continue;
        const std::string shard = ShardProblem(c.layout(), rows, cols, dev);
        if (!shard.empty()) {
          add(layer, absl::StrCat(where, ": ", hw::TensorLayout_Name(c.layout()), " [",
                                  module.source(OpFieldPath(mode, op, "layout")), "] does not divide on ", dev.name(),
                                  ": ", shard, " (", mode_name, " rows ", rows, "); use layout INTERLEAVED"));
        }
        if (c.placement() == hw::L1) {
          const int64_t per_core = L1BytesPerCore(rows, cols, c.output_dtype(), dev);
          if (per_core > static_cast<int64_t>(chip.l1_bytes_per_core())) {
            add(layer, absl::StrCat(where, ": output [", rows, ", ", cols, "] in ",
                                    Lower(c.output_dtype() ? c.output_dtype() : hw::BF16), " needs ", per_core,
                                    " B of L1 per core but ", dev.name(), " has ", chip.l1_bytes_per_core(),
                                    " B per core: use placement DRAM, a smaller output dtype, ",
                                    mode == Phase::kDecode ? "a smaller batch" : "a shorter context"));
          }
        }
      }
      const hw::DType kv = module.mode(mode).kv_cache_dtype();
      const DTypeTraits* kv_traits = FindHwDType(kv);
      if (kv && (!has(chip.weight_dtypes(), kv) || kv_traits == nullptr || !(kv_traits->roles & kKvCacheRole))) {
        add(layer, absl::StrCat(kind, " KV cache (", mode_name, "): cannot be stored as ", Lower(kv), " [",
                                module.source(absl::StrCat(mode_name, ".kv_cache_dtype")),
                                "] on ", dev.name(), ": use ", DTypesWithRole(kKvCacheRole)));
      }
    }
    if (instance.descriptor->has_kv_cache()) {
      const hw::DType p = module.mode(Phase::kPrefill).kv_cache_dtype(), d = module.mode(Phase::kDecode).kv_cache_dtype();
      if (p && d && p != d) {
        add(layer, absl::StrCat(kind, " KV cache: prefill writes ", Lower(p), " but decode reads ", Lower(d),
                                ": one cache has one format; set the same kv_cache_dtype for both"));
      }
    }
  };
  // Every instance with a config; the KV caches of a model hold one format.
  hw::DType first_kv = hw::DTYPE_UNSPECIFIED;
  std::string first_kv_where;
  for (size_t l = 0; l < modules.layers.size() && l < config.layers.size(); ++l) {
    for (const ModuleInstance& m : modules.layers[l]) {
      const ResolvedModuleConfig* module = Find(config.layers[l], m.name);
      if (module == nullptr) continue;
      check_module(static_cast<int64_t>(l), m, *module);
      if (!m.descriptor->has_kv_cache()) continue;
      const hw::DType kv = module->mode(Phase::kDecode).kv_cache_dtype();
      if (first_kv_where.empty()) {
        first_kv = kv;
        first_kv_where = absl::StrCat("layer ", l, "'s");
      } else if (kv != first_kv) {
        add(static_cast<int64_t>(l), absl::StrCat(m.name, " KV cache is ", Lower(kv), " but ", first_kv_where, " is ",
                                                  Lower(first_kv), ": the cache holds one format for all layers"));
      }
    }
  }
  for (const ModuleInstance& m : modules.model) {
    if (const ResolvedModuleConfig* module = Find(config.model_modules, m.name)) check_module(-1, m, *module);
  }

  // DRAM: one chip's share of the weights + KV cache under the device's tensor-parallel plan, against one
  // chip's DRAM (a t3k's 96 GiB is eight 12 GiB chips, each holding its own slice and the replicated rest).
  auto chip_share = [&](const ResolvedHwConfig& c, const hw::DeviceProfile& d) {
    const TensorParallelPlan plan = PlanForModel(modules, spec->hidden_dim(), d);
    return EstimateFootprint(spec, c, batch, context, &plan);
  };
  const ModelFootprint f = chip_share(config, dev);
  const double capacity = static_cast<double>(chip.dram_bytes());
  if (f.total() > capacity) {
    std::vector<std::string> options;
    std::vector<std::string> bigger;
    for (const std::string& name : DeviceNames()) {
      auto other = ParseEmbeddedDeviceProfile(name);
      if (!other.ok() || other->kind() == hw::CPU) continue;
      const double cap = static_cast<double>(other->chip().dram_bytes());
      const double need = chip_share(config, *other).total();
      if (need <= cap) bigger.push_back(absl::StrCat(name, " (", GiB(need), " of ", GiB(cap), " per chip)"));
    }
    if (!bigger.empty()) options.push_back(absl::StrCat("a bigger device: ", absl::StrJoin(bigger, ", ")));
    ResolvedHwConfig bfp4 = config;
    hw::OpConfig change;
    change.set_weight_dtype(hw::BFP4);
    auto to_bfp4 = [&](ResolvedModuleConfig& m) {
      const ModuleDescriptor* d = config.kinds->FindKind(m.kind());
      if (d == nullptr) return;
      for (const std::string& op : d->WeightOps()) {
        m.ApplyOp(Phase::kPrefill, op, change, "x");
        m.ApplyOp(Phase::kDecode, op, change, "x");
      }
    };
    for (auto& l : bfp4.layers) {
      for (auto& [name, m] : l) to_bfp4(m);
    }
    for (auto& [name, m] : bfp4.model_modules) to_bfp4(m);
    const double bfp4_total = chip_share(bfp4, dev).total();
    if (bfp4_total < f.total()) {
      options.push_back(absl::StrCat("bfp4 weights for every linear op (--weights bfp4): ", GiB(bfp4_total),
                                     bfp4_total <= capacity ? ", fits" : ", still too big"));
    }
    if (f.weights() < capacity && f.kv_cache > 0) {
      const int64_t fits = static_cast<int64_t>((capacity - f.weights()) / (f.kv_cache / context));
      options.push_back(absl::StrCat("a shorter context: at most ", fits, " tokens at batch ", batch));
    }
    std::vector<std::string> groups;
    for (const auto& [group, bytes] : f.weights_by_group) {
      if (bytes >= 0.005 * (1 << 30)) groups.push_back(absl::StrCat(group, " ", GiB(bytes)));
    }
    add(-1, absl::StrCat("model does not fit ", dev.name(), "'s DRAM: per chip (", dev.num_chips(),
                         " chip(s), tensor parallel) weights ", GiB(f.weights()), " (", absl::StrJoin(groups, ", "),
                         ") + KV cache ", GiB(f.kv_cache), " (batch ", batch, ", context ", context, ") = ",
                         GiB(f.total()), " > ", GiB(capacity), " of DRAM per chip. Options: ",
                         options.empty() ? "none found" : absl::StrJoin(options, "; ")));
  }

  std::vector<std::string> out;
  for (const auto& [text, layers] : problems) {
    std::vector<std::string> ranges;
    for (size_t i = 0; i < layers.size();) {
      size_t j = i;
      while (j + 1 < layers.size() && layers[j + 1] == layers[j] + 1) ++j;
      if (layers[i] >= 0) {
        ranges.push_back(i == j ? absl::StrCat(layers[i]) : absl::StrCat(layers[i], "-", layers[j]));
      }
      i = j + 1;
    }
    out.push_back(ranges.empty() ? text
                                 : absl::StrCat(ranges.size() == 1 && ranges[0].find('-') == std::string::npos
                                                    ? "layer "
                                                    : "layers ",
                                                absl::StrJoin(ranges, ","), " ", text));
  }
  return out;
}

absl::StatusOr<std::vector<std::string>> CheckHardwareCompatibility(const Validated<spec::ModelSpec>& spec,
                                                                    const std::string& device, hw::ConfigMode mode,
                                                                    const hw::ModelHwConfig* model_file,
                                                                    int64_t batch, int64_t context,
                                                                    const std::string& model_file_name) {
  TTT_ASSIGN_OR_RETURN(hw::DeviceProfile profile, GetDeviceProfile(device));
  TTT_ASSIGN_OR_RETURN(ResolvedHwConfig resolved, ResolveHwConfig(spec, profile, mode, model_file, model_file_name));
  return CheckHardwareCompatibility(spec, resolved, batch, context);
}

absl::Status ValidateHwConfig(const Validated<spec::ModelSpec>& spec, const ResolvedHwConfig& config, int64_t batch,
                              int64_t context) {
  std::vector<std::string> problems = CheckHardwareCompatibility(spec, config, batch, context);
  if (problems.empty()) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat("hardware config does not fit ", config.device.name(), " (",
                                                 problems.size(), " problem(s)):\n  ",
                                                 absl::StrJoin(problems, "\n  ")));
}

}  // namespace ttt
