#include "core/profiler/cost_model.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_format.h"
#include "core/blocks/model_modules.h"
#include "core/hwconfig/hw_enums.h"
#include "core/runtime/status.h"
#include "core/specs/proto/attention.pb.h"
#include "core/specs/proto/mlp.pb.h"
#include "core/specs/proto/moe.pb.h"

namespace ttt::profiler {
namespace {

constexpr int64_t kTile = 32;  // rows and columns of a tile [numerics notes §3]
int64_t Tiles(int64_t n) { return (n + kTile - 1) / kTile; }
int64_t Padded(int64_t n) { return Tiles(n) * kTile; }

// Bytes of one 32x32 tile: bf16 2048, bfp8 1088, bfp4 576 (exponents included) [numerics notes §1.1, §3].
double TileBytes(hw::DType dtype) { return BytesPerValue(dtype) * kTile * kTile; }

// What the chip offers, from its profile.
struct Chip {
  double dram_bw = 0;  // bytes/s, theoretical
  int banks = 1;
  int grid_x = 1, grid_y = 1;
  double lofi_flops = 0;  // cores x 4096 FLOP/cycle x clock
};

// Device ops tt-transformers dispatches for one of ours, decode and prefill (models/tt_transformers/tt/
// attention.py forward_decode / forward_prefill); ops not listed dispatch one.
struct DispatchCount {
  const char* op;
  int decode, prefill;
};
constexpr DispatchCount kDispatches[] = {
    {"wqkv", 3, 2},       // linear, sharded_to_interleaved, nlp_create_qkv_heads_decode | linear, nlp_create_qkv_heads
    {"rope", 2, 2},       // rotary_embedding_llama on Q, on K
    {"kv_update", 2, 4},  // paged_update_cache K, V | typecast K, V to the cache format, fill_cache K, V
    {"sdpa", 3, 5},       // sdpa_decode, to_memory_config, nlp_concat_heads_decode | typecast Q, K, V, sdpa, concat
    {"wo", 2, 1},         // linear, to_memory_config | linear
};
int Dispatches(const std::string& op, bool prefill) {
  for (const DispatchCount& d : kDispatches) {
    if (op == d.op) return prefill ? d.prefill : d.decode;
  }
  return 1;
}

// Fidelity phases; an op without a fidelity in its config runs HiFi2, the device configs' matmul default.
int Phases(hw::MathFidelity f) { return f == hw::HIFI4 ? 4 : f == hw::HIFI3 ? 3 : f == hw::LOFI ? 1 : 2; }

class Pricer {
 public:
  Pricer(const Validated<spec::ModelSpec>& spec, const ResolvedHwConfig& config, const FamilyCosts& family,
         const TensorParallelPlan& plan, const PredictOptions& options)
      : spec_(spec), config_(config), family_(family), plan_(plan), options_(options),
        links_(CostsForLinks(config.device)) {
    const hw::ChipProfile& c = config.device.chip();
    chip_.dram_bw = c.dram_bandwidth_bytes_per_s();
    chip_.banks = std::max<int>(1, static_cast<int>(c.dram_banks()));
    chip_.grid_x = std::max<int>(1, static_cast<int>(c.compute_grid().x()));
    chip_.grid_y = std::max<int>(1, static_cast<int>(c.compute_grid().y()));
    chip_.lofi_flops = static_cast<double>(c.compute_grid().x()) * c.compute_grid().y() *
                       c.matmul_flop_per_cycle_per_core() * c.clock_hz();
  }

  // A matmul of `rows` activation rows by one chip's share of the weight [in, out].
  OpCost Matmul(int64_t layer, const ModuleInstance& m, const OpInfo& op, int64_t rows, bool prefill, double touched) {
    const OpSplit split = plan_.SplitOf(m.descriptor->kind, op.name);
    const hw::OpConfig& c = Config(layer, m.name).op(prefill ? Phase::kPrefill : Phase::kDecode, op.name);
    const hw::DType dtype = c.weight_dtype() ? c.weight_dtype() : hw::BF16;
    const int64_t k = op.in / split.in_ways, n = op.out / split.out_ways;
    int64_t n_tiles = Tiles(n);
    // Decode weights are DRAM-sharded: each bank holds the same number of output-column tiles.
    if (!prefill) n_tiles = (n_tiles + chip_.banks - 1) / chip_.banks * chip_.banks;
    OpCost o = Make(layer, m, op.name, "matmul", prefill);
    o.dispatches = Dispatches(op.name, prefill) * (GatedPair(m, op.name) ? 2 : 1);
    o.weight_bytes = static_cast<double>(Tiles(k)) * n_tiles * TileBytes(dtype) * touched;
    o.flops = 2.0 * Padded(rows) * Padded(k) * Padded(n) * touched;
    const double fraction = prefill ? family_.dram_interleaved_fraction : family_.dram_sharded_fraction;
    o.dram_s = o.weight_bytes / (chip_.dram_bw * fraction);
    // The output's tiles over the cores, in the better of tt-metal's two matmul layouts: 1-D (columns over
    // every core, as decode's DRAM-sharded matmuls) or 2-D (rows over the grid's height, columns over its
    // width). Cores left without a full share idle.
    const int64_t mt = Tiles(rows), nt = Tiles(n), cores = int64_t{chip_.grid_x} * chip_.grid_y;
    auto spread = [](int64_t tiles, int64_t over) {
      return static_cast<double>(tiles) / (over * ((tiles + over - 1) / over));
    };
    const double occupancy =
        std::max(spread(nt, cores), spread(mt, chip_.grid_y) * spread(nt, chip_.grid_x));
    o.compute_s = o.flops * Phases(c.math_fidelity()) / (chip_.lofi_flops * family_.matmul_utilisation * occupancy);
    o.floor_s = family_.min_kernel_s;
    return o;
  }

  // A kernel of known minimum time that moves `bytes` (activations, KV) through DRAM or L1.
  OpCost Fixed(int64_t layer, const ModuleInstance& m, const std::string& name, const std::string& kind,
               double floor_s, double bytes, bool prefill, int dispatches = 1) {
    OpCost o = Make(layer, m, name, kind, prefill);
    o.dispatches = dispatches * Dispatches(name, prefill);
    o.floor_s = floor_s;
    o.dram_s = bytes / (chip_.dram_bw * family_.dram_interleaved_fraction);
    return o;
  }

  OpCost Sdpa(int64_t layer, const ModuleInstance& m, const OpInfo& op, bool prefill) {
    const auto& a = static_cast<const spec::AttentionSpec&>(*m.spec);
    const Phase phase = prefill ? Phase::kPrefill : Phase::kDecode;
    const ResolvedModuleConfig& rc = Config(layer, m.name);
    const hw::DType kv = rc.mode(phase).kv_cache_dtype() ? rc.mode(phase).kv_cache_dtype() : hw::BF16;
    const int64_t kv_heads = plan_.KvHeadsPerChip(a.num_kv_heads());
    const int64_t users = prefill ? 1 : options_.batch;
    const int64_t context = prefill ? options_.prompt_tokens : options_.context;
    // K and V of every cached position, in tiles of the cache's format.
    const double kv_bytes = 2.0 * users * kv_heads * Tiles(context) * Tiles(a.head_dim()) * TileBytes(kv);
    OpCost o = Fixed(layer, m, "sdpa", "sdpa", prefill ? family_.min_kernel_s : family_.sdpa_decode_s, kv_bytes, prefill);
    const double heads = static_cast<double>(a.num_heads()) / plan_.SplitOf("attention", "wqkv").out_ways;
    // One new row per user in decode, the whole prompt (causal) in prefill.
    o.flops = m.descriptor->Flops(*m.spec, op, prefill ? context : 1, context) / a.num_heads() * heads * users;
    o.compute_s = o.flops * Phases(rc.op(phase, "sdpa").math_fidelity()) / (chip_.lofi_flops * family_.matmul_utilisation);
    return o;
  }

  OpCost CollectiveAfter(int64_t layer, const std::string& module, const std::string& op, int64_t rows, bool prefill,
                         const std::vector<CollectiveStep>& steps) {
    OpCost o;
    o.layer = layer;
    o.module = module;
    o.kind = "collective";
    o.prefill = prefill;
    o.dispatches = 0;
    for (const CollectiveStep& s : steps) {
      if (s.module != module || s.after != op) continue;
      o.op = CollectiveName(s.kind);
      o.dispatches += 1;
      o.collective_s += CollectiveSeconds(s.kind, static_cast<double>(Padded(rows)) * s.values_per_row * s.bytes_per_value,
                                          s.chips, s.topology, links_);
    }
    return o;
  }

  void Layer(int64_t layer, const std::vector<ModuleInstance>& modules, bool prefill, std::vector<OpCost>* out) {
    const int64_t rows = prefill ? options_.prompt_tokens : options_.batch;
    const double act_bytes = ActivationBytes(rows, prefill);
    for (const ModuleInstance& m : modules) {
      const std::string& kind = m.descriptor->kind;
      if (kind == "norm") {
        out->push_back(Fixed(layer, m, "norm", "norm", family_.min_kernel_s, act_bytes, prefill));
        continue;
      }
      std::vector<OpInfo> ops = m.descriptor->Ops(*m.spec);
      double touched = 1;  // the fraction of a MoE's experts a step reads
      if (kind == "moe") {
        const auto& moe = static_cast<const spec::MoeSpec&>(*m.spec);
        const double e = moe.num_experts(), k = moe.experts_per_token();
        touched = 1 - std::pow(1 - k / e, static_cast<double>(prefill ? options_.prompt_tokens : options_.batch));
      }
      for (const OpInfo& op : ops) {
        if (op.weight && op.out * op.in > 0) {
          const bool routed = kind == "moe" && (op.name == "ff1_3" || op.name == "ff2");
          out->push_back(Matmul(layer, m, op, rows, prefill, routed ? touched : 1.0));
          out->push_back(CollectiveAfter(layer, kind, op.name, rows, prefill, plan_.per_layer));
          if (out->back().dispatches == 0) out->pop_back();
        }
        if (kind == "attention" && op.name == "wqkv") {
          const auto& a = static_cast<const spec::AttentionSpec&>(*m.spec);
          const double kv_bytes = static_cast<double>(Padded(rows)) * 2 * plan_.KvHeadsPerChip(a.num_kv_heads()) *
                                  a.head_dim() * 2;
          if (a.use_rope()) out->push_back(Fixed(layer, m, "rope", "rope", family_.rope_s, kv_bytes, prefill));
          out->push_back(Fixed(layer, m, "kv_update", "kv_update", family_.kv_update_s, kv_bytes, prefill));
        }
        if (op.matmul && !op.weight) out->push_back(Sdpa(layer, m, op, prefill));
        if ((kind == "mlp" || kind == "moe") && op.name == "ff1_3") {
          // The activation (times the gate), and for a MoE its router's top-k, softmax and scatter.
          out->push_back(Fixed(layer, m, "activation", "eltwise", family_.min_kernel_s, act_bytes, prefill,
                               kind == "moe" ? 4 : 1));
        }
      }
      // Each block's branch ends with a residual add.
      out->push_back(Fixed(layer, m, "residual_add", "eltwise", family_.min_kernel_s, act_bytes, prefill));
    }
  }

  void ModelLevel(const std::vector<ModuleInstance>& modules, bool prefill, std::vector<OpCost>* out) {
    const int64_t rows = prefill ? options_.prompt_tokens : options_.batch;
    const double act_bytes = ActivationBytes(rows, prefill);
    for (const ModuleInstance& m : modules) {
      const std::string& kind = m.descriptor->kind;
      if (kind == "lm_head") {
        // Only the last tile of rows reaches the head in a prefill; then the sampling tail (typecast, top-k).
        const int64_t head_rows = prefill ? 1 : options_.batch;
        for (const OpInfo& op : m.descriptor->Ops(*m.spec)) {
          if (!op.weight) continue;
          out->push_back(Matmul(-1, m, op, head_rows, prefill, 1.0));
          out->push_back(CollectiveAfter(-1, kind, op.name, head_rows, prefill, plan_.per_model));
          if (out->back().dispatches == 0) out->pop_back();
        }
        out->push_back(Fixed(-1, m, "sampling", "sampling", family_.min_kernel_s, 0, prefill, 2));
      } else if (kind == "norm") {
        out->push_back(Fixed(-1, m, "norm", "norm", family_.min_kernel_s, act_bytes, prefill));
      } else {
        out->push_back(Fixed(-1, m, kind, "embedding", family_.min_kernel_s, act_bytes / 2, prefill));
      }
    }
  }

 private:
  // A gated feed-forward's first matmul is two (w1 and w3, models/tt_transformers/tt/mlp.py).
  static bool GatedPair(const ModuleInstance& m, const std::string& op) {
    if (op != "ff1_3") return false;
    if (m.descriptor->kind == "moe") return true;
    return m.descriptor->kind == "mlp" && static_cast<const spec::MlpSpec&>(*m.spec).gated();
  }
  // Bytes a norm or eltwise op moves through DRAM: the prefill's bf16 rows in and out; none in decode, whose
  // activations stay in L1 (the device configs place decode outputs in L1, hwconfig/modules/).
  double ActivationBytes(int64_t rows, bool prefill) const {
    return prefill ? static_cast<double>(Padded(rows)) * spec_->hidden_dim() * 2 * 2 : 0.0;
  }
  OpCost Make(int64_t layer, const ModuleInstance& m, const std::string& name, const std::string& kind, bool prefill) {
    OpCost o;
    o.layer = layer;
    o.module = m.name;
    o.op = name;
    o.kind = kind;
    o.prefill = prefill;
    return o;
  }
  const ResolvedModuleConfig& Config(int64_t layer, const std::string& name) {
    static const ResolvedModuleConfig kEmpty;
    const auto& modules = layer < 0 ? config_.model_modules : config_.layers[static_cast<size_t>(layer)];
    auto it = modules.find(name);
    return it == modules.end() ? kEmpty : it->second;
  }

  const Validated<spec::ModelSpec>& spec_;
  const ResolvedHwConfig& config_;
  const FamilyCosts& family_;
  const TensorParallelPlan& plan_;
  const PredictOptions& options_;
  LinkCosts links_;
  Chip chip_;
};

}  // namespace

const char* BoundName(Bound bound) {
  switch (bound) {
    case Bound::kDram: return "DRAM";
    case Bound::kCompute: return "compute";
    case Bound::kFixed: return "fixed cost";
    case Bound::kCollective: return "collective";
  }
  return "?";
}

namespace {
double Compute(const OpCost& op, const StackCosts& stack) {
  return op.prefill ? op.compute_s / stack.prefill_utilisation : op.compute_s;
}
double Dispatch(const OpCost& op, const FamilyCosts& family, const StackCosts& stack) {
  return op.dispatches * (family.op_gap_s + (op.prefill ? stack.prefill_op_overhead_s : stack.decode_op_overhead_s));
}
}  // namespace

double OpSeconds(const OpCost& op, const FamilyCosts& family, const StackCosts& stack) {
  return std::max({op.dram_s, Compute(op, stack), op.floor_s}) + Dispatch(op, family, stack) + op.collective_s;
}

Bound OpBound(const OpCost& op, const FamilyCosts& family, const StackCosts& stack) {
  const double compute = Compute(op, stack), fixed = op.floor_s + Dispatch(op, family, stack);
  if (op.collective_s >= std::max({op.dram_s, compute, fixed})) return Bound::kCollective;
  if (fixed >= std::max(op.dram_s, compute)) return Bound::kFixed;
  return op.dram_s >= compute ? Bound::kDram : Bound::kCompute;
}

double TotalSeconds(const std::vector<OpCost>& ops, const FamilyCosts& family, const StackCosts& stack) {
  double s = 0;
  for (const OpCost& op : ops) s += OpSeconds(op, family, stack);
  return s;
}

double CollectiveSeconds(Collective kind, double tensor_bytes, int chips, Topology topology, const LinkCosts& links) {
  if (chips <= 1 || tensor_bytes <= 0) return 0;
  const double n = chips;
  const double passes = kind == Collective::kAllReduce ? 2.0 : 1.0;  // an all-reduce is a reduce-scatter + all-gather
  const double per_link =
      passes * (n - 1) / n * tensor_bytes / (topology == Topology::kRing ? 2.0 : 1.0) / std::max(1, links.links);
  return per_link / links.bytes_per_s + passes * (n - 1) * links.hop_s;
}

std::string DescribeTotals(const Prediction& p) {
  return absl::StrFormat(
      "predicted on %s (stack %s): decode %.2f ms per token, %.1f tokens/s/user, %.1f tokens/s at batch %d; "
      "time to first token (%d prompt tokens) %.1f ms",
      p.device, p.stack.name, p.decode_s() * 1e3, p.tokens_per_s_per_user(), p.tokens_per_s(), p.options.batch,
      p.options.prompt_tokens, p.ttft_s() * 1e3);
}

absl::StatusOr<Prediction> Predict(const Validated<spec::ModelSpec>& spec, const ResolvedHwConfig& config,
                                   const StackCosts& stack, const PredictOptions& options) {
  Prediction p;
  p.device = config.device.name();
  TTT_ASSIGN_OR_RETURN(p.family, CostsForFamily(config.device));
  p.stack = stack;
  p.options = options;
  if (options.batch < 1 || options.context < 1 || options.prompt_tokens < 1) {
    return absl::InvalidArgumentError("batch, context and prompt tokens must each be >= 1");
  }
  TTT_ASSIGN_OR_RETURN(const ModelModules modules, ListModelModules(spec, *config.kinds));
  p.plan = PlanForModel(modules, spec->hidden_dim(), config.device);
  Pricer pricer(spec, config, p.family, p.plan, p.options);
  for (bool prefill : {false, true}) {
    std::vector<OpCost>* out = prefill ? &p.prefill : &p.decode;
    for (size_t l = 0; l < modules.layers.size(); ++l) {
      pricer.Layer(static_cast<int64_t>(l), modules.layers[l], prefill, out);
    }
    pricer.ModelLevel(modules.model, prefill, out);
  }
  return p;
}

}  // namespace ttt::profiler
