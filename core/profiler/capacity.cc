#include "core/profiler/capacity.h"

#include <algorithm>

#include "absl/strings/str_format.h"
#include "core/blocks/model_modules.h"
#include "core/hwconfig/hw_enums.h"
#include "core/specs/proto/attention.pb.h"

namespace ttt::profiler {
namespace {

double GiB(double bytes) { return bytes / (1024.0 * 1024 * 1024); }

hw::DType Or(hw::DType d, hw::DType fallback) { return d ? d : fallback; }

}  // namespace

ChipCapacity CapacityPerChip(const Validated<spec::ModelSpec>& spec, const ResolvedHwConfig& config,
                             const TensorParallelPlan& plan, const FamilyCosts& family, int64_t batch,
                             int64_t context) {
  ChipCapacity c;
  c.dram = static_cast<double>(config.device.chip().dram_bytes());
  c.reserved = family.dram_reserved_bytes + family.trace_region_bytes;
  const auto listed = ListModelModules(spec, *config.kinds);
  if (!listed.ok()) return c;
  double widest = 0;  // the widest matmul output on a chip: the prefill chunk's largest activation
  auto add = [&](const ModuleInstance& m, const ResolvedModuleConfig* rc, bool layer) {
    const ModuleDescriptor& d = *m.descriptor;
    for (const OpInfo& op : d.Ops(*m.spec)) {
      if (!op.weight) continue;
      const OpSplit split = plan.SplitOf(d.kind, op.name);
      const double values = static_cast<double>(op.out) * op.in / (split.out_ways * split.in_ways);
      const hw::DType decode = rc ? Or(rc->op(Phase::kDecode, op.name).weight_dtype(), hw::BF16) : hw::BF16;
      const hw::DType prefill = rc ? Or(rc->op(Phase::kPrefill, op.name).weight_dtype(), decode) : decode;
      // Prefill and decode in different formats keep both copies (core/blocks/linear/linear.h).
      c.weights += values * (BytesPerValue(decode) + (prefill != decode ? BytesPerValue(prefill) : 0));
      // The head runs on the prompt's last tile only.
      if (layer) widest = std::max(widest, static_cast<double>(op.out) / split.out_ways);
    }
    // Embedding tables and norm scales, in bf16: the table split like the hidden features, the rest replicated.
    if (d.other_weight_values) {
      c.weights += d.other_weight_values(*m.spec) * BytesPerValue(hw::BF16) /
                   (d.kind == "token_embedding" ? plan.embedding_ways : 1);
    }
    if (d.kind == "attention") {
      const auto& a = static_cast<const spec::AttentionSpec&>(*m.spec);
      const hw::DType kv = rc ? Or(rc->mode(Phase::kDecode).kv_cache_dtype(), hw::BF16) : hw::BF16;
      c.kv_per_position += static_cast<double>(batch) * 2 * plan.KvHeadsPerChip(a.num_kv_heads()) * a.head_dim() *
                           BytesPerValue(kv);
    }
  };
  for (size_t l = 0; l < listed->layers.size(); ++l) {
    for (const ModuleInstance& m : listed->layers[l]) {
      const auto& modules = config.layers[l];
      auto it = modules.find(m.name);
      add(m, it == modules.end() ? nullptr : &it->second, true);
    }
  }
  for (const ModuleInstance& m : listed->model) {
    auto it = config.model_modules.find(m.name);
    add(m, it == config.model_modules.end() ? nullptr : &it->second, false);
  }
  // One prefill chunk's activations in bf16: its widest matmul output plus the residual stream, twice
  // (input and output of each op).
  auto buffers = [&](int64_t tokens) {
    const double chunk = static_cast<double>(std::min<int64_t>(tokens, family.prefill_chunk_tokens));
    return chunk * (widest + spec->hidden_dim()) * 2 * 2;
  };
  c.kv_cache = c.kv_per_position * context;
  c.prefill_buffers = buffers(context);
  const double room = c.dram - c.reserved - c.weights - buffers(family.prefill_chunk_tokens);
  c.largest_context = room <= 0 || c.kv_per_position <= 0 ? 0 : static_cast<int64_t>(room / c.kv_per_position) / 32 * 32;
  return c;
}

absl::Status CheckCapacity(const ChipCapacity& c, const std::string& device, int64_t batch, int64_t context) {
  if (c.fits()) return absl::OkStatus();
  return absl::FailedPreconditionError(absl::StrFormat(
      "does not fit one %s chip at batch %d, context %d: %.2f GiB reserved + %.2f GiB weights + %.2f GiB KV cache "
      "+ %.2f GiB prefill buffers > %.2f GiB of DRAM. The largest context that fits at batch %d is %d; try "
      "--context %d, a smaller --batch, a smaller weight or KV-cache format (--mode performance, --kv-cache bfp8) "
      "or a device with more chips",
      device, batch, context, GiB(c.reserved), GiB(c.weights), GiB(c.kv_cache), GiB(c.prefill_buffers), GiB(c.dram),
      batch, c.largest_context, c.largest_context));
}

}  // namespace ttt::profiler
