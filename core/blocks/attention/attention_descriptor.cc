#include "core/blocks/attention/attention_descriptor.h"

#include "absl/strings/str_cat.h"
#include "core/blocks/attention/attention.h"
#include "core/specs/device_kind.h"
#include "core/specs/proto/attention.pb.h"
#include "core/specs/validate.h"

namespace ttt {
namespace {

const spec::AttentionSpec& Spec(const google::protobuf::Message& m) {
  return static_cast<const spec::AttentionSpec&>(m);
}

}  // namespace

ModuleDescriptor AttentionDescriptor() {
  ModuleDescriptor d;
  d.id = "ttt/attention/gqa";
  d.kind = "attention";
  d.summary = "multi-head attention with grouped KV heads over a KV cache";
  d.spec_type = spec::AttentionSpec::descriptor();
  d.footprint_group = "attention";
  d.defaults_file = "hwconfig/modules/attention.textproto";
  d.ops = {{.name = "wqkv", .weight = true}, {.name = "wo", .weight = true}, {.name = "sdpa", .matmul = true}};
  d.shapes = [](const google::protobuf::Message& m) {
    const spec::AttentionSpec& s = Spec(m);
    const int64_t q = int64_t{s.num_heads()} * s.head_dim(), kv = int64_t{s.num_kv_heads()} * s.head_dim();
    return std::vector<OpShape>{{q + 2 * kv, s.hidden_dim()}, {s.hidden_dim(), q}, {q, 0}};
  };
  d.validate = ValidateWith(&ValidateAttention);
  d.create = [](const Validated<google::protobuf::Message>& m, const WeightMap& weights,
                const std::string& prefix) -> absl::StatusOr<std::unique_ptr<LayerBlock>> {
    return Attention::Create(SpecAs<spec::AttentionSpec>(m), weights, prefix);
  };
  d.kv_cache_values = [](const google::protobuf::Message& m) {
    return 2 * int64_t{Spec(m).num_kv_heads()} * Spec(m).head_dim();
  };
  d.flops = [](const google::protobuf::Message& m, const std::string& op, int64_t tokens, int64_t context) {
    if (op != "sdpa") return -1.0;
    const spec::AttentionSpec& s = Spec(m);
    // The new rows attend to the positions before them and to each other causally: QK^T and PV each cost
    // 2 * head_dim per key and head.
    const int64_t past = context - tokens;
    const double keys = static_cast<double>(tokens) * past + 0.5 * tokens * (tokens + 1);
    return keys * 4.0 * s.num_heads() * s.head_dim();
  };
  d.rules = [](const google::protobuf::Message& m, const hw::DeviceProfile& device, hw::ConfigMode mode) {
    std::vector<RuleChange> out;
    const int64_t hidden = Spec(m).hidden_dim();
    if (!IsTenstorrent(device) || mode != hw::ACCURACY || hidden < 8192) return out;
    RuleChange r;
    r.why = absl::StrCat("rule: hidden_dim ", hidden,
                         " >= 8192 (70B-class) keeps BFP8 attention at HiFi2 in accuracy mode");
    hw::OpConfig linear;
    linear.set_weight_dtype(hw::BFP8);
    linear.set_math_fidelity(hw::HIFI2);
    for (hw::ModuleConfig* c : {r.change.mutable_prefill(), r.change.mutable_decode()}) {
      (*c->mutable_ops())["wqkv"] = linear;
      (*c->mutable_ops())["wo"] = linear;
      c->set_kv_cache_dtype(hw::BFP8);
    }
    (*r.change.mutable_decode()->mutable_ops())["sdpa"].set_math_fidelity(hw::HIFI2);
    out.push_back(std::move(r));
    return out;
  };
  return d;
}

}  // namespace ttt
