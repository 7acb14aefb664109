#include "core/blocks/norm/norm_descriptor.h"

#include "core/specs/proto/norm.pb.h"
#include "core/specs/validate.h"

namespace ttt {

ModuleDescriptor NormDescriptor() {
  ModuleDescriptor d;
  d.id = "ttt/norm/rms_and_layer_norm";
  d.kind = "norm";
  d.summary = "RMSNorm (optionally 1 + w) and LayerNorm (optionally with bias)";
  d.spec_type = spec::NormSpec::descriptor();
  d.footprint_group = "norms";
  d.validate = ValidateWith(&ValidateNorm);
  d.other_weight_values = [](const google::protobuf::Message& m) {
    const auto& s = static_cast<const spec::NormSpec&>(m);
    return int64_t{s.dim()} * (s.kind() == spec::NormSpec::LAYER_NORM && s.bias() ? 2 : 1);
  };
  return d;
}

}  // namespace ttt
