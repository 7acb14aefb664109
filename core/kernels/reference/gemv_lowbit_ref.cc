// Reference GEMV for the compressed weight dtypes: decode the row to f32 with the runtime's own converters
// (ttt::ConvertToF32, the definition of each format), then the float64 dot of GemvF32. Decoding is exact
// (every bf16, i8 and block-float value is a float), so these differ from GemvF32 on the decoded weight only
// in being slower.
#include <vector>

#include "core/kernels/reference/reference_kernels.h"
#include "core/runtime/dtype.h"

namespace ttt::kernels::reference {
namespace {

template <DType kDType>
void GemvDecoded(const float* x, int64_t m, int64_t k, const void* w, size_t w_row_bytes, int64_t n_begin,
                 int64_t n_end, float* y, int64_t ldy) {
  std::vector<float> row(static_cast<size_t>(k));
  for (int64_t j = n_begin; j < n_end; ++j) {
    ConvertToF32(static_cast<const char*>(w) + j * w_row_bytes, k, kDType, row.data());
    for (int64_t r = 0; r < m; ++r) y[r * ldy + j] = DotF32(x + r * k, row.data(), k);
  }
}

}  // namespace

void GemvBF16(const float* x, int64_t m, int64_t k, const void* w, size_t w_row_bytes, int64_t n_begin,
              int64_t n_end, float* y, int64_t ldy) {
  GemvDecoded<DType::kBF16>(x, m, k, w, w_row_bytes, n_begin, n_end, y, ldy);
}
void GemvI8(const float* x, int64_t m, int64_t k, const void* w, size_t w_row_bytes, int64_t n_begin,
            int64_t n_end, float* y, int64_t ldy) {
  GemvDecoded<DType::kI8>(x, m, k, w, w_row_bytes, n_begin, n_end, y, ldy);
}
void GemvBfp8(const float* x, int64_t m, int64_t k, const void* w, size_t w_row_bytes, int64_t n_begin,
              int64_t n_end, float* y, int64_t ldy) {
  GemvDecoded<DType::kBFP8>(x, m, k, w, w_row_bytes, n_begin, n_end, y, ldy);
}
void GemvBfp4(const float* x, int64_t m, int64_t k, const void* w, size_t w_row_bytes, int64_t n_begin,
              int64_t n_end, float* y, int64_t ldy) {
  GemvDecoded<DType::kBFP4>(x, m, k, w, w_row_bytes, n_begin, n_end, y, ldy);
}

void DequantRowF32(const void* w_row, int64_t k, float* out) { ConvertToF32(w_row, k, DType::kF32, out); }
void DequantRowBF16(const void* w_row, int64_t k, float* out) { ConvertToF32(w_row, k, DType::kBF16, out); }
void DequantRowI8(const void* w_row, int64_t k, float* out) { ConvertToF32(w_row, k, DType::kI8, out); }
void DequantRowBfp8(const void* w_row, int64_t k, float* out) { ConvertToF32(w_row, k, DType::kBFP8, out); }
void DequantRowBfp4(const void* w_row, int64_t k, float* out) { ConvertToF32(w_row, k, DType::kBFP4, out); }

}  // namespace ttt::kernels::reference
