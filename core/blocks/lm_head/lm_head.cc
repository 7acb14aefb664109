#include "core/blocks/lm_head/lm_head.h"

#include "core/blocks/module_registry.h"
#include "core/runtime/status.h"

namespace ttt {

absl::StatusOr<LmHead> LmHead::Create(const Validated<spec::LmHeadSpec>& spec, const WeightMap& weights,
                                      const Tensor& embedding_table) {
  LmHead head;
  head.spec_ = *spec;
  const int64_t vocab = head.spec_.vocab_size(), hidden = head.spec_.hidden_dim();
  if (head.spec_.tied()) {
    // Some checkpoints store a copy of the embedding as lm_head even when tied; it is not needed.
    head.projection_ = Linear(embedding_table, Tensor());
  } else {
    TTT_ASSIGN_OR_RETURN(head.projection_, Linear::Load(weights, "lm_head", vocab, hidden, head.spec_.bias()));
  }
  return head;
}

const ModuleDescriptor& LmHead::descriptor() const { return CoreKind("lm_head"); }

std::vector<LinearOp> LmHead::linear_ops() {
  return {{"lm_head", &projection_, spec_.tied() ? "token_embedding.as_lm_head" : "lm_head"}};
}

}  // namespace ttt
