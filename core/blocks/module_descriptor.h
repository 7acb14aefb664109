// What a module kind knows about itself, said once: its id, its spec message, its ops and their weight
// shapes, the FLOPs of each op, where its default hardware configs live and the rules it applies to them.
// The engine (hardware-config resolution, the device check, the memory footprint, the profiler's
// suggestions, coverage) walks these descriptors (core/blocks/module_registry.h) and names no block.
//
// A new block kind - core, contrib, experimental or a user's own - plugs in by registering a descriptor:
// its ops can then be configured per device and mode, checked against a device and suggested by the
// profiler with no engine change (core/blocks/module_registry_test.cc registers one inside the test).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "core/blocks/weights.h"
#include "core/runtime/check.h"
#include "core/hwconfig/proto/device_profile.pb.h"
#include "core/hwconfig/proto/op_config.pb.h"
#include "core/specs/validated.h"
#include "google/protobuf/message.h"

namespace ttt {

class LayerBlock;  // core/blocks/block.h

// One op of a module: what a config may set on it.
struct OpDecl {
  std::string name;     // "wqkv": the key of its config in hw::ModuleConfig.ops
  bool weight = false;  // holds a weight matrix whose storage format a config sets (what --weights changes)
  bool matmul = false;  // a matrix-engine op without a weight (attention's "sdpa"): numerics apply, formats not
};

// Its size for one spec: weight [out, in]; for an op without a weight, `out` is the width of its output.
struct OpShape {
  int64_t out = 0, in = 0;
};

struct OpInfo : OpDecl, OpShape {};

// A rule's change to the base config, with the reason recorded as its source ("rule: hidden_dim ...").
struct RuleChange {
  hw::ModuleHwConfig change;
  std::string why;
};

struct ModuleDescriptor {
  std::string id;       // the module manifest's id: "ttt/attention/gqa"
  std::string kind;     // what a model names its instances after, and the key of configs: "attention"
  std::string summary;  // one line for `ttt modules`
  // Its stability tier (core, contrib, experimental), as its manifest says; shown by `ttt modules list`.
  std::string tier = "core";
  // The spec message an instance is built from (ttt.spec.AttentionSpec); instances are validated specs of
  // this type.
  const google::protobuf::Descriptor* spec_type = nullptr;
  // What its weights count towards in memory footprints ("attention", "mlp", "head and embeddings").
  std::string footprint_group;

  // Default hardware configs (a ttt.hw.ModuleDefaults): `defaults_file` names one of the embedded
  // hwconfig/ files; a module outside the library gives `defaults_text` instead. Neither: not configurable.
  std::string defaults_file;
  std::string defaults_text;
  bool configurable() const { return !defaults_file.empty() || !defaults_text.empty(); }

  // Its ops, in the order a step runs them (known without a spec: configs are checked against them).
  std::vector<OpDecl> ops;
  // Their shapes for a validated spec of `spec_type`, one per op in the same order. Null only without ops.
  std::function<std::vector<OpShape>(const google::protobuf::Message& spec)> shapes;
  // Values one token adds to its KV cache (K and V) for a spec. Null: no KV cache, and kv_cache_dtype /
  // kv_cache_layout mean nothing for it.
  std::function<int64_t(const google::protobuf::Message& spec)> kv_cache_values;
  bool has_kv_cache() const { return kv_cache_values != nullptr; }
  // Weight values held outside its ops, in the device's natural format, never converted (an embedding
  // table, norm scales). Null: none.
  std::function<int64_t(const google::protobuf::Message& spec)> other_weight_values;
  // FLOPs (2 per multiply-add) of `op` for `tokens` new rows attending to `context` positions in all. Null,
  // or a negative answer: 2 * out * in per row for a weight op, nothing for the others.
  std::function<double(const google::protobuf::Message& spec, const std::string& op, int64_t tokens,
                       int64_t context)>
      flops;
  // Size rules applied after the base values (e.g. 70B-class models keep BFP8 attention in accuracy mode).
  // Layout rules (sharding that divides, outputs that fit L1) are the engine's, from each op's `out`.
  std::function<std::vector<RuleChange>(const google::protobuf::Message& spec, const hw::DeviceProfile& device,
                                        hw::ConfigMode mode)>
      rules;

  // Checks a spec of `spec_type` and fills its derived values in place, with errors that name the field and
  // the fix. Null: every spec is valid as it is.
  std::function<absl::Status(google::protobuf::Message& spec)> validate;
  // Builds an instance that runs as a residual branch of a layer, loading its weights "<prefix>.<name>" (a
  // kind a layer spec may name in `modules`). Null: the kind has a fixed place in the pattern.
  std::function<absl::StatusOr<std::unique_ptr<LayerBlock>>(const Validated<google::protobuf::Message>& spec,
                                                            const WeightMap& weights, const std::string& prefix)>
      create;
  // Its float64 reference for the TestSuite: the branch's output for x [rows, hidden] (positions 0..rows-1 of
  // one sequence), computed from the block's own (dequantised) weights, independently of its kernels.
  std::function<std::vector<double>(const LayerBlock& block, const std::vector<double>& x, int64_t rows)> reference;

  // The ops with their shapes for `spec`.
  std::vector<OpInfo> Ops(const google::protobuf::Message& spec) const;
  // The names of the ops that hold weights.
  std::vector<std::string> WeightOps() const;
  const OpDecl* FindOp(const std::string& name) const;
  // FLOPs of one op, with the default above.
  double Flops(const google::protobuf::Message& spec, const OpInfo& op, int64_t tokens, int64_t context) const;
};

// A descriptor's `validate` from the validator of its spec type S (core/specs/validate.h): the spec, of
// type S as the engine guarantees, is replaced by its validated form.
template <class S>
std::function<absl::Status(google::protobuf::Message&)> ValidateWith(absl::StatusOr<Validated<S>> (*validator)(S)) {
  return [validator](google::protobuf::Message& m) -> absl::Status {
    S& spec = static_cast<S&>(m);
    absl::StatusOr<Validated<S>> validated = validator(spec);
    if (!validated.ok()) return validated.status();
    spec = **validated;
    return absl::OkStatus();
  };
}

// The spec a descriptor's `create` is given, as its concrete type S (the engine passes specs of the
// descriptor's spec_type only).
template <class S>
Validated<S> SpecAs(const Validated<google::protobuf::Message>& spec) {
  std::optional<Validated<S>> typed = spec.template As<S>();
  TTT_CHECK(typed.has_value()) << "a " << spec->GetDescriptor()->full_name() << " given for a " << S::descriptor()->full_name();
  return *std::move(typed);
}

}  // namespace ttt
