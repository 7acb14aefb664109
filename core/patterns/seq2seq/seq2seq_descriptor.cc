#include "core/patterns/seq2seq/seq2seq_descriptor.h"

#include <mutex>

#include "core/blocks/relative_attention/relative_position_bias.h"
#include "core/blocks/module_registry.h"
#include "core/specs/proto/seq2seq.pb.h"
#include "core/specs/seq2seq_validate.h"

namespace ttt {

ModuleDescriptor Seq2SeqDescriptor() {
  ModuleDescriptor d;
  d.id = "ttt/patterns/seq2seq";
  d.kind = "seq2seq";
  d.tier = "core";
  d.summary = "encoder-decoder transformer (T5, flan-t5): relative position biases, pre-norm RMS layers, "
              "decoder cross-attention over the encoder output projected once per source";
  d.spec_type = spec::Seq2SeqSpec::descriptor();
  d.footprint_group = "seq2seq";
  d.validate = ValidateWith(&ValidateSeq2Seq);
  return d;
}

absl::Status RegisterSeq2Seq() {
  static std::once_flag once;
  static absl::Status status;
  std::call_once(once, [] {
    ModuleRegistry& registry = ModuleRegistry::Global();
    if (registry.FindKind("relative_position_bias") == nullptr) {
      status = registry.Register(RelativePositionBiasDescriptor());
    }
    if (status.ok() && registry.FindKind("seq2seq") == nullptr) status = registry.Register(Seq2SeqDescriptor());
  });
  return status;
}

}  // namespace ttt
