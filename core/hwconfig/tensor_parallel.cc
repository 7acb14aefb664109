#include "core/hwconfig/tensor_parallel.h"

#include <algorithm>
#include <utility>

#include "core/specs/proto/moe.pb.h"

namespace ttt {

const char* SplitName(Split split) {
  switch (split) {
    case Split::kReplicated: return "replicated";
    case Split::kColumn: return "column";
    case Split::kRow: return "row";
    case Split::kColumnRow: return "column x row";
    case Split::kVocab: return "vocab";
    case Split::kExperts: return "experts";
  }
  return "?";
}

const char* CollectiveName(Collective kind) {
  switch (kind) {
    case Collective::kAllGather: return "all-gather";
    case Collective::kReduceScatter: return "reduce-scatter";
    case Collective::kAllReduce: return "all-reduce";
  }
  return "?";
}

OpSplit TensorParallelPlan::SplitOf(const std::string& module, const std::string& op) const {
  for (const OpSplit& s : splits) {
    if (s.module == module && s.op == op) return s;
  }
  return OpSplit{.module = module, .op = op};
}

int64_t TensorParallelPlan::KvHeadsPerChip(int64_t kv_heads) const {
  const int head_split = SplitOf("attention", "wqkv").out_ways;  // heads follow QKV's output features
  return std::max<int64_t>(1, (kv_heads + head_split - 1) / head_split);
}

TensorParallelPlan PlanTensorParallel(const hw::DeviceProfile& device, const ModelDims& dims) {
  TensorParallelPlan p;
  p.chips = std::max<int>(1, static_cast<int>(device.num_chips()));
  if (p.chips == 1) return p;
  p.embedding_ways = p.chips;
  // tg's 4x8 mesh is used as a 2-D mesh (the Galaxy Llama-70B demo's 8x4 weight split); n300 and t3k as a
  // line of chips.
  const bool two_d = device.mesh().rows() > 1 && device.mesh().cols() > 1 && p.chips > 8;
  p.rows = two_d ? static_cast<int>(device.mesh().rows()) : 1;
  p.cols = p.chips / p.rows;
  // A 2x4 mesh (t3k, or a 2x4 submesh) used as a line of 8: its perimeter closes a ring. n300's two chips, a
  // 1xN submesh and tg's mesh axes are lines.
  p.topology = !two_d && device.mesh().rows() == 2 && device.mesh().cols() == 4 ? Topology::kRing : Topology::kLine;
  // Column-parallel: outputs over the columns (inputs over the rows on a 2-D mesh); row-parallel: inputs
  // over the columns (outputs over the rows).
  const Split column = two_d ? Split::kColumnRow : Split::kColumn;
  const Split row = two_d ? Split::kColumnRow : Split::kRow;
  auto col = [&](const char* module, const char* op) {
    return OpSplit{.module = module, .op = op, .split = column, .out_ways = p.cols, .in_ways = p.rows};
  };
  auto rowp = [&](const char* module, const char* op) {
    return OpSplit{.module = module, .op = op, .split = row, .out_ways = p.rows, .in_ways = p.cols};
  };
  const bool experts_divide = dims.num_experts > 0 && dims.num_experts % p.chips == 0;
  p.splits = {col("attention", "wqkv"), rowp("attention", "wo"), col("mlp", "ff1_3"), rowp("mlp", "ff2"),
              OpSplit{.module = "lm_head", .op = "lm_head", .split = Split::kVocab, .out_ways = p.chips}};
  if (experts_divide) {
    // Whole experts per chip (Mixtral's 8 on t3k): each chip holds chips-th of the experts' rows.
    p.splits.push_back({.module = "moe", .op = "ff1_3", .split = Split::kExperts, .out_ways = p.chips});
    p.splits.push_back({.module = "moe", .op = "ff2", .split = Split::kExperts, .out_ways = p.chips});
  } else {
    p.splits.push_back(col("moe", "ff1_3"));
    p.splits.push_back(rowp("moe", "ff2"));
  }
  p.splits.push_back(col("moe", "shared_ff1_3"));
  p.splits.push_back(rowp("moe", "shared_ff2"));

  auto step = [&](const std::string& module, const std::string& after, int chips, int64_t width) {
    return CollectiveStep{.module = module, .after = after, .kind = Collective::kAllReduce, .chips = chips,
                          .topology = p.topology, .values_per_row = width};
  };
  if (two_d) {
    // Every matmul's input features are split over one axis: its partial sums are reduced along that axis.
    p.per_layer = {step("attention", "wqkv", p.rows, dims.qkv_width / p.cols),
                   step("attention", "wo", p.cols, dims.hidden / p.rows)};
  } else {
    p.per_layer = {step("attention", "wo", p.chips, dims.hidden)};
  }
  // Each feed-forward kind the stack has: a layer's collectives follow the kind it holds.
  for (const auto& [ffn, width] : {std::pair<const char*, int64_t>{"mlp", dims.ff1_3_width},
                                   std::pair<const char*, int64_t>{"moe", dims.expert_ff1_3_width}}) {
    if (width == 0) continue;
    if (two_d) p.per_layer.push_back(step(ffn, "ff1_3", p.rows, width / p.cols));
    p.per_layer.push_back(step(ffn, "ff2", two_d ? p.cols : p.chips, two_d ? dims.hidden / p.rows : dims.hidden));
  }
  // The head's vocabulary slices are sampled where they are; only each chip's top candidates (32 values
  // and their indices) are gathered.
  CollectiveStep gather = step("lm_head", "lm_head", p.chips, 64);
  gather.kind = Collective::kAllGather;
  p.per_model = {gather};
  return p;
}

ModelDims DimsOf(const ModelModules& modules, int64_t hidden) {
  ModelDims d;
  d.hidden = hidden;
  // Every layer: a heterogeneous stack (ModelSpec.layer_groups) may mix dense and mixture-of-experts layers.
  // Attention's width is every layer's (validation keeps the head shape); a feed-forward kind's is its first
  // layer's.
  for (const auto& layer : modules.layers) {
    for (const ModuleInstance& m : layer) {
      for (const OpInfo& op : m.descriptor->Ops(*m.spec)) {
        if (op.name == "wqkv" && d.qkv_width == 0) d.qkv_width = op.out;
        if (op.name == "ff1_3" && m.descriptor->kind == "mlp" && d.ff1_3_width == 0) d.ff1_3_width = op.out;
      }
      if (m.descriptor->kind == "moe" && d.num_experts == 0) {
        const auto& moe = static_cast<const spec::MoeSpec&>(*m.spec);
        d.num_experts = moe.num_experts();
        d.expert_ff1_3_width = 2 * int64_t{moe.expert_dim()};
      }
    }
  }
  return d;
}

TensorParallelPlan PlanForModel(const ModelModules& modules, int64_t hidden, const hw::DeviceProfile& device) {
  return PlanTensorParallel(device, DimsOf(modules, hidden));
}

}  // namespace ttt
