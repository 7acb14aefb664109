#include "core/blocks/lm_head/lm_head_descriptor.h"

#include "core/specs/proto/embedding.pb.h"
#include "core/specs/validate.h"

namespace ttt {

ModuleDescriptor LmHeadDescriptor() {
  ModuleDescriptor d;
  d.id = "ttt/head/lm_head";
  d.kind = "lm_head";
  d.summary = "LM head: logits from the last hidden state, own matrix or tied to the token embedding";
  d.spec_type = spec::LmHeadSpec::descriptor();
  d.footprint_group = "head and embeddings";
  d.validate = ValidateWith(&ValidateLmHead);
  d.defaults_file = "hwconfig/modules/lm_head.textproto";
  d.ops = {{.name = "lm_head", .weight = true}};
  d.shapes = [](const google::protobuf::Message& m) {
    const auto& s = static_cast<const spec::LmHeadSpec&>(m);
    return std::vector<OpShape>{{s.vocab_size(), s.hidden_dim()}};
  };
  return d;
}

}  // namespace ttt
