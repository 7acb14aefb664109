#include <cstring>

#include "core/ops/internal/op_check.h"
#include "core/ops/internal/parallel.h"
#include "core/ops/ops.h"

namespace ttt::ops {

void Embedding(const Tensor& table, const int32_t* ids, int64_t n, float* out) {
  TTT_OP_CHECK(table.rank() == 2 && table.is_contiguous(),
               "ops::Embedding: table must be a contiguous 2-D tensor [vocab, dim], got ", table.DebugString());
  const int64_t vocab = table.dim(0);
  const int64_t dim = table.dim(1);
  const DType dtype = table.dtype();
  const size_t row_bytes = StorageBytes(dtype, dim);
  const char* base = static_cast<const char*>(table.raw_data());
  for (int64_t i = 0; i < n; ++i) {
    TTT_OP_CHECK(ids[i] >= 0 && ids[i] < vocab, "ops::Embedding: token id ", ids[i], " at index ", i,
                 " is outside the vocabulary [0, ", vocab, "); check the tokenizer matches the model");
  }
  internal::ParallelRanges(n, n * dim * 2, 1, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) {
      const char* row = base + static_cast<size_t>(ids[i]) * row_bytes;
      if (dtype == DType::kF32) {
        std::memcpy(out + i * dim, row, static_cast<size_t>(dim) * sizeof(float));
      } else {
        ConvertToF32(row, dim, dtype, out + i * dim);
      }
    }
  });
}

}  // namespace ttt::ops
