// Token embedding (with optional scale) and learned position embedding.
#pragma once

#include "core/blocks/weights.h"
#include "core/specs/proto/embedding.pb.h"
#include "core/specs/validated.h"

namespace ttt {

class TokenEmbedding {
 public:
  // Loads "tok_embeddings" [vocab, hidden].
  static absl::StatusOr<TokenEmbedding> Create(const Validated<spec::TokenEmbeddingSpec>& spec, const WeightMap& weights);
  // ids [n] -> out [n, hidden]. Ids were checked against the vocabulary by the model. With a slice of the
  // table (spec.first_token, a tensor-parallel rank's), ids outside it give rows of zeros.
  void Forward(const int32_t* ids, int64_t n, float* out) const;
  // The table as stored: row-major, or in panels once a tied LM head shares them (ShareTiedHeadPanels).
  const Tensor& table() const { return table_; }
  // The table row-major: table() itself, or a copy unpacked from the panels.
  Tensor RowMajorTable() const;
  // A tied head packed the table into panels for its batched GEMV (kernel_table.h: GemvF32PanelsFn); the
  // embedding reads its rows from them, so the model holds one copy. `panels` is the head's f32 weight.
  void ShareTiedHeadPanels(const Tensor& panels);
  bool table_in_panels() const { return table_in_panels_; }
  const spec::TokenEmbeddingSpec& spec() const { return spec_; }

 private:
  spec::TokenEmbeddingSpec spec_;
  Tensor table_;
  bool table_in_panels_ = false;
};

class PositionEmbedding {
 public:
  // Loads "pos_embeddings" [max_positions, hidden].
  static absl::StatusOr<PositionEmbedding> Create(const Validated<spec::PositionEmbeddingSpec>& spec, const WeightMap& weights);
  // Adds the embeddings of `positions` [n] to x [n, hidden].
  void AddTo(const int32_t* positions, int64_t n, float* x) const;
  const Tensor& table() const { return table_; }

 private:
  spec::PositionEmbeddingSpec spec_;
  Tensor table_;
};

}  // namespace ttt
