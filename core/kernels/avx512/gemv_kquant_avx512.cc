// GEMV and tile dequantisation of the ggml block formats for Avx512: core/kernels/generic/gemv_ggml.h over
// simd::Avx512, widening 16 int8 values per load (several activation rows, row decode), and the one-row decode
// GEMV by integer dot products, generic/gemv_ggml_int.h with AVX-512 VNNI (vpdpbusd, vpdpwssd).
#include "core/kernels/generic/gemv_ggml.h"
#include "core/kernels/generic/gemv_ggml_int.h"
#include "core/kernels/internal/ggml_kernels.h"
#include "core/kernels/simd/vec_avx512.h"

namespace ttt::kernels::avx512 {
namespace {

struct WidenI8 {
  static __m512 Load(const int8_t* p) {
    return _mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p))));
  }
};

// AVX-512 VNNI on 256-bit registers: vpdpbusd does vpmaddubsw + vpmaddwd (without the int16 step), vpdpwssd
// vpmaddwd + vpaddd. (The avx512 table is only chosen on CPUs with VNNI: ttt::BestIsa.)
struct IntDot {
  static __m256i Signed(__m256i w, __m256i x) {
    return _mm256_dpbusd_epi32(_mm256_setzero_si256(), _mm256_abs_epi8(w), _mm256_sign_epi8(x, w));
  }
  static __m256i AddScaled(__m256i acc, __m256i pairs, __m256i scale) {
    return _mm256_dpwssd_epi32(acc, pairs, scale);
  }
};

template <DType D>
void Add(KernelTable* table) {
  table->gemv[static_cast<int>(D)] = generic::GemvGgml<simd::Avx512, WidenI8, D>;
  table->dequant_row[static_cast<int>(D)] = generic::DequantRowGgml<simd::Avx512, WidenI8, D>;
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

}  // namespace ttt::kernels::avx512
