// GEMV and tile dequantisation of the ggml block formats for Avx2: core/kernels/generic/gemv_ggml.h over
// simd::Avx2, widening 8 int8 values per load.
#include "core/kernels/generic/gemv_ggml.h"
#include "core/kernels/internal/ggml_kernels.h"
#include "core/kernels/simd/vec_avx2.h"

namespace ttt::kernels::avx2 {
namespace {

struct WidenI8 {
  static __m256 Load(const int8_t* p) {
    return _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(p))));
  }
};

template <DType D>
void Add(KernelTable* table) {
  table->gemv[static_cast<int>(D)] = generic::GemvGgml<simd::Avx2, WidenI8, D>;
  table->dequant_row[static_cast<int>(D)] = generic::DequantRowGgml<simd::Avx2, WidenI8, D>;
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

}  // namespace ttt::kernels::avx2
