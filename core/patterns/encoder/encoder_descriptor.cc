#include "core/patterns/encoder/encoder_descriptor.h"

#include <mutex>

#include "core/blocks/module_registry.h"
#include "core/specs/proto/encoder.pb.h"
#include "core/specs/validate.h"

namespace ttt {

ModuleDescriptor EncoderDescriptor() {
  ModuleDescriptor d;
  d.id = "ttt/patterns/encoder";
  d.kind = "encoder";
  d.tier = "core";
  d.summary = "encoder-only transformer (BERT): token+position+type embeddings, bidirectional attention, "
              "post-norm layers; pooled by Embed (mean, cls, last)";
  d.spec_type = spec::EncoderSpec::descriptor();
  d.footprint_group = "encoder";
  d.validate = ValidateWith(&ValidateEncoder);
  return d;
}

absl::Status RegisterEncoder() {
  static std::once_flag once;
  static absl::Status status;
  std::call_once(once, [] {
    ModuleRegistry& registry = ModuleRegistry::Global();
    if (registry.FindKind("encoder") == nullptr) status = registry.Register(EncoderDescriptor());
  });
  return status;
}

}  // namespace ttt
