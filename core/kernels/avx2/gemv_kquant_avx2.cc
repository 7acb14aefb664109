// GEMV and tile dequantisation of the ggml block formats for Avx2: core/kernels/generic/gemv_ggml.h over
// simd::Avx2, widening 8 int8 values per load (several activation rows, row decode), and the one-row decode
// GEMV by integer dot products, generic/gemv_ggml_int.h with vpmaddubsw + vpmaddwd.
#include "core/kernels/generic/gemv_ggml.h"
#include "core/kernels/generic/gemv_ggml_int.h"
#include "core/kernels/internal/ggml_kernels.h"
#include "core/kernels/simd/vec_avx2.h"

namespace ttt::kernels::avx2 {
namespace {

struct WidenI8 {
  static __m256 Load(const int8_t* p) {
    return _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(p))));
  }
};

// AVX2: unsigned x signed bytes to int16 pairs (vpmaddubsw), then pairs of those to int32 (vpmaddwd).
struct IntDot {
  // Lane i: sum of products 4i..4i+3 of two signed int8 vectors (|w| <= 128, |x| <= 127: no saturation).
  static __m256i Signed(__m256i w, __m256i x) {
    const __m256i pairs = _mm256_maddubs_epi16(_mm256_abs_epi8(w), _mm256_sign_epi8(x, w));
    return _mm256_madd_epi16(pairs, _mm256_set1_epi16(1));
  }
  static __m256i AddScaled(__m256i acc, __m256i pairs, __m256i scale) {
    return _mm256_add_epi32(acc, _mm256_madd_epi16(pairs, scale));
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
  generic::ggml_int::AddGgmlIntKernels<IntDot>(table);
}

}  // namespace ttt::kernels::avx2
