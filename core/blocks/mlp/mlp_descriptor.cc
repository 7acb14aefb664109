#include "core/blocks/mlp/mlp_descriptor.h"

#include "absl/strings/str_cat.h"
#include "core/blocks/mlp/mlp.h"
#include "core/specs/device_kind.h"
#include "core/runtime/status.h"
#include "core/specs/proto/mlp.pb.h"
#include "core/specs/validate.h"

namespace ttt {

ModuleDescriptor MlpDescriptor() {
  ModuleDescriptor d;
  d.id = "ttt/mlp/feed_forward";
  d.kind = "mlp";
  d.summary = "feed-forward block: plain or gated (SwiGLU, GeGLU) MLP";
  d.spec_type = spec::MlpSpec::descriptor();
  d.footprint_group = "mlp";
  d.defaults_file = "hwconfig/modules/mlp.textproto";
  d.ops = {{.name = "ff1_3", .weight = true}, {.name = "ff2", .weight = true}};
  d.shapes = [](const google::protobuf::Message& m) {
    const auto& s = static_cast<const spec::MlpSpec&>(m);
    return std::vector<OpShape>{{(s.gated() ? 2 : 1) * int64_t{s.intermediate_dim()}, s.hidden_dim()},
                                {s.hidden_dim(), s.intermediate_dim()}};
  };
  d.validate = ValidateWith(&ValidateMlp);
  d.create = [](const Validated<google::protobuf::Message>& m, const WeightMap& weights,
                const std::string& prefix) -> absl::StatusOr<std::unique_ptr<LayerBlock>> {
    TTT_ASSIGN_OR_RETURN(Mlp mlp, Mlp::Create(SpecAs<spec::MlpSpec>(m), weights, prefix));
    return std::make_unique<Mlp>(std::move(mlp));
  };
  d.rules = [](const google::protobuf::Message& m, const hw::DeviceProfile& device, hw::ConfigMode mode) {
    std::vector<RuleChange> out;
    const int64_t hidden = static_cast<const spec::MlpSpec&>(m).hidden_dim();
    if (!IsTenstorrent(device) || mode != hw::ACCURACY || hidden < 8192) return out;
    RuleChange r;
    r.why = absl::StrCat("rule: hidden_dim ", hidden, " >= 8192 (70B-class) keeps ff1_3 BFP4 at LoFi in accuracy mode");
    hw::OpConfig ff1_3;
    ff1_3.set_weight_dtype(hw::BFP4);
    ff1_3.set_math_fidelity(hw::LOFI);
    (*r.change.mutable_prefill()->mutable_ops())["ff1_3"] = ff1_3;
    (*r.change.mutable_decode()->mutable_ops())["ff1_3"] = ff1_3;
    out.push_back(std::move(r));
    return out;
  };
  return d;
}

}  // namespace ttt
