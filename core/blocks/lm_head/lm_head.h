// LM head: logits = x W^T (+ b), with W either its own "lm_head" or the token embedding (tied), optionally
// soft-capped (cap * tanh(logits / cap), Gemma 2).
#pragma once

#include "core/blocks/block.h"
#include "core/ops/ops.h"
#include "core/runtime/trace.h"
#include "core/specs/proto/embedding.pb.h"
#include "core/specs/validated.h"

namespace ttt {

class LmHead : public Block {
 public:
  // `embedding_table` is used when the spec is tied.
  static absl::StatusOr<LmHead> Create(const Validated<spec::LmHeadSpec>& spec, const WeightMap& weights,
                                       const Tensor& embedding_table);
  // Stores the head's matrix in `dtype`; a tied head keeps the embedding table itself unchanged.
  absl::Status ConvertWeight(DType dtype) { return projection_.ConvertWeight(dtype); }
  // x [rows, hidden] -> logits [rows, vocab].
  void Forward(const float* x, int64_t rows, float* logits, Phase phase = Phase::kDecode) const {
    TTT_TRACE_MODULE("lm_head");
    TTT_TRACE_LINEAR("lm_head", projection_, rows) projection_.Forward(x, rows, logits, phase);
    if (spec_.logit_softcap() > 0) {
      TTT_TRACE_OP("softcap", rows, 8.0 * rows * spec_.vocab_size(), 20.0 * rows * spec_.vocab_size())
      ops::SoftCap(logits, rows * spec_.vocab_size(), spec_.logit_softcap());
    }
  }
  const spec::LmHeadSpec& spec() const { return spec_; }
  const Linear& projection() const { return projection_; }
  Linear& mutable_projection() { return projection_; }
  // Block: op "lm_head"; a tied head's converted copy is named "token_embedding.as_lm_head".
  const ModuleDescriptor& descriptor() const override;
  std::vector<LinearOp> linear_ops() override;

 private:
  spec::LmHeadSpec spec_;
  Linear projection_;
};

}  // namespace ttt
