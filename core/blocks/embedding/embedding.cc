#include "core/blocks/embedding/embedding.h"

#include <algorithm>

#include "core/kernels/internal/f32_panels.h"
#include "core/ops/ops.h"
#include "core/runtime/check.h"
#include "core/runtime/status.h"
#include "core/runtime/trace.h"

namespace ttt {

absl::StatusOr<TokenEmbedding> TokenEmbedding::Create(const Validated<spec::TokenEmbeddingSpec>& spec, const WeightMap& weights) {
  TokenEmbedding e;
  e.spec_ = *spec;
  TTT_ASSIGN_OR_RETURN(e.table_, RequireWeight(weights, "tok_embeddings", {e.spec_.vocab_size(), e.spec_.hidden_dim()},
                                                 /*keep_ggml_blocks=*/true));
  return e;
}

void TokenEmbedding::Forward(const int32_t* ids, int64_t n, float* out) const {
  const int64_t dim = spec_.hidden_dim(), first = spec_.first_token(), rows = spec_.vocab_size();
  TTT_TRACE_OP("embedding", n, 8.0 * n * dim, 0)
  for (int64_t i = 0; i < n; ++i) {
    const int64_t local = ids[i] - first;  // the row in this table; outside it only on a tensor-parallel rank
    if (local >= 0 && local < rows && table_in_panels_) {
      kernels::internal::GatherF32PanelRow(table_.data<float>(), rows, dim, local, out + i * dim);
    } else if (local >= 0 && local < rows) {
      const int32_t row = static_cast<int32_t>(local);
      ops::Embedding(table_, &row, 1, out + i * dim);
    } else {
      std::fill(out + i * dim, out + (i + 1) * dim, 0.0f);
    }
  }
  if (spec_.scale() != 1.0f) {
    int64_t count = n * spec_.hidden_dim();
    for (int64_t i = 0; i < count; ++i) out[i] *= spec_.scale();
  }
}

Tensor TokenEmbedding::RowMajorTable() const {
  if (!table_in_panels_) return table_;
  Tensor rows = Tensor::Empty(DType::kF32, table_.shape());
  kernels::internal::UnpackF32Panels(table_.data<float>(), table_.dim(0), table_.dim(1), 0, table_.dim(0),
                                     rows.data<float>());
  return rows;
}

void TokenEmbedding::ShareTiedHeadPanels(const Tensor& panels) {
  TTT_CHECK(panels.dtype() == DType::kF32 && panels.shape() == table_.shape() && table_.dtype() == DType::kF32)
      << "TokenEmbedding::ShareTiedHeadPanels: " << panels.DebugString() << " for the table " << table_.DebugString();
  table_ = panels;
  table_in_panels_ = true;
}

absl::StatusOr<PositionEmbedding> PositionEmbedding::Create(const Validated<spec::PositionEmbeddingSpec>& spec,
                                                            const WeightMap& weights) {
  PositionEmbedding e;
  e.spec_ = *spec;
  TTT_ASSIGN_OR_RETURN(e.table_, RequireWeight(weights, "pos_embeddings", {e.spec_.max_positions(), e.spec_.hidden_dim()}));
  return e;
}

void PositionEmbedding::AddTo(const int32_t* positions, int64_t n, float* x) const {
  int64_t dim = spec_.hidden_dim();
  const float* table = table_.data<float>();
  TTT_TRACE_OP("position_embedding", n, 12.0 * n * dim, 1.0 * n * dim)
  for (int64_t i = 0; i < n; ++i) ops::Add(x + i * dim, table + positions[i] * dim, x + i * dim, dim);
}

}  // namespace ttt
