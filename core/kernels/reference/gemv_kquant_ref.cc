// Reference GEMV for the ggml block formats: each weight row decoded block by block to f32 by the format's
// definition (ggml::DecodeRow, core/runtime/dtype_ggml.h), then the reference dot product. The optimised
// kernels (generic/gemv_ggml.h) are tested against these.
#include <vector>

#include "core/kernels/internal/ggml_kernels.h"
#include "core/kernels/reference/reference_kernels.h"
#include "core/runtime/dtype_ggml.h"

namespace ttt::kernels::reference {
namespace {

template <DType D>
void GemvGgml(const float* x, int64_t m, int64_t k, const void* w, size_t w_row_bytes, int64_t n_begin,
              int64_t n_end, float* y, int64_t ldy) {
  std::vector<float> row(static_cast<size_t>(k));
  for (int64_t j = n_begin; j < n_end; ++j) {
    ggml::DecodeRow(D, static_cast<const char*>(w) + j * w_row_bytes, k, row.data());
    for (int64_t r = 0; r < m; ++r) y[r * ldy + j] = DotF32(x + r * k, row.data(), k);
  }
}

template <DType D>
void DequantRowGgml(const void* w_row, int64_t k, float* out) {
  ggml::DecodeRow(D, w_row, k, out);
}

template <DType D>
void Add(KernelTable* table) {
  table->gemv[static_cast<int>(D)] = GemvGgml<D>;
  table->dequant_row[static_cast<int>(D)] = DequantRowGgml<D>;
}

}  // namespace

void AddGgmlKernels(KernelTable* table) {
  Add<DType::kQ8_0>(table);
  Add<DType::kQ4_0>(table);
  Add<DType::kQ5_0>(table);
  Add<DType::kIQ4_NL>(table);
  Add<DType::kQ4_K>(table);
  Add<DType::kQ5_K>(table);
  Add<DType::kQ6_K>(table);
}

}  // namespace ttt::kernels::reference
