// GEMV over ggml block weights (core/runtime/dtype_ggml.h) written once over the vector-width abstraction
// (core/kernels/simd/), instantiated per format by avx2/gemv_kquant_avx2.cc and avx512/gemv_kquant_avx512.cc.
// Include only from *_avx2.cc / *_avx512.cc files.
//
// Since issue 19 item 2 the decode case (one activation row) goes through the integer-dot kernels of
// generic/gemv_ggml_int.h instead (ops::Linear, KernelTable::gemv_ggml_q8); this float path remains for 2..15
// activation rows (batched decode) and as the GemvFn every table has.
//
// Per weight row, chunks of up to 256 values are unpacked to int8 with per-sub-block scales and offsets
// (generic/ggml_unpack.h) and widened to f32 (scale * q + offset, the format's own definition of the value):
// for one activation row straight into the FMAs, for several into an L1 buffer that every row takes its
// FMAs from, so the weight is decoded once per call whatever the number of rows. Activations are f32 (ops::Linear
// rounds them as llama.cpp does before the call: ggml::RoundActivations), so the result differs from the
// scalar reference only in summation order.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "core/kernels/generic/ggml_unpack.h"
#include "core/kernels/kernel_table.h"

namespace ttt::kernels::generic {

// `Widen` is the ISA's int8 -> f32 load: Widen::Load(const int8_t* p) gives V::kLanes floats.
template <class V, class Widen, DType D>
inline void DecodeChunk(const char* blocks, int values, float* out) {
  using Format = GgmlFormat<D>;
  GgmlChunk chunk;
  UnpackChunk<D>(blocks, values, &chunk);
  for (int s = 0; s * Format::kSub < values; ++s) {
    const typename V::F scale = V::Set1(chunk.scale[s]), offset = V::Set1(chunk.offset[s]);
    for (int i = s * Format::kSub; i < (s + 1) * Format::kSub; i += V::kLanes) {
      V::Store(out + i, V::Fma(Widen::Load(chunk.q + i), scale, offset));
    }
  }
}

// One activation row (decode): the chunk's values go from the unpacked integers straight into the FMAs,
// without the round trip through a decoded buffer. acc[0..1] accumulate alternate vectors.
template <class V, class Widen, DType D>
inline void DotChunk(const char* blocks, int values, const float* x, typename V::F (&acc)[2]) {
  using Format = GgmlFormat<D>;
  GgmlChunk chunk;
  UnpackChunk<D>(blocks, values, &chunk);
  // A sub-block is one vector or more (16 or 32 values, 8 or 16 lanes); vectors alternate accumulators.
  for (int i = 0; i < values; i += V::kLanes) {
    const int s = i / Format::kSub;
    typename V::F& a = acc[(i / V::kLanes) & 1];
    const typename V::F w = V::Fma(Widen::Load(chunk.q + i), V::Set1(chunk.scale[s]), V::Set1(chunk.offset[s]));
    a = V::Fma(w, V::Load(x + i), a);
  }
}

template <class V, class Widen, DType D>
void DequantRowGgml(const void* w_row, int64_t k, float* out) {
  constexpr int64_t kBlockBytes = sizeof(typename GgmlFormat<D>::Block);
  constexpr int kValues = GgmlFormat<D>::kValues;
  const char* w = static_cast<const char*>(w_row);
  for (int64_t c = 0; c < k; c += ggml::kQK) {
    const int values = static_cast<int>(std::min<int64_t>(ggml::kQK, k - c));
    DecodeChunk<V, Widen, D>(w + c / kValues * kBlockBytes, values, out + c);
  }
}

template <class V, class Widen, DType D>
void GemvGgml(const float* x, int64_t m, int64_t k, const void* w, size_t w_row_bytes, int64_t n_begin,
              int64_t n_end, float* y, int64_t ldy) {
  using F = typename V::F;
  constexpr int64_t kBlockBytes = sizeof(typename GgmlFormat<D>::Block);
  constexpr int kValues = GgmlFormat<D>::kValues;
  constexpr int kRows = 8;  // activation rows per pass; more rows decode the weight row again
  alignas(64) float decoded[ggml::kQK];
  for (int64_t j = n_begin; j < n_end; ++j) {
    const char* row = static_cast<const char*>(w) + j * w_row_bytes;
    for (int64_t r0 = 0; r0 < m; r0 += kRows) {
      const int rows = static_cast<int>(std::min<int64_t>(kRows, m - r0));
      F acc[kRows][2];
      for (int r = 0; r < rows; ++r) acc[r][0] = acc[r][1] = V::Zero();
      for (int64_t c = 0; c < k; c += ggml::kQK) {
        const int values = static_cast<int>(std::min<int64_t>(ggml::kQK, k - c));
        const char* blocks = row + c / kValues * kBlockBytes;
        // Keep the weight stream kGemvStreamPrefetchBytes ahead, as the other compressed GEMVs do.
        for (int64_t b = 0; b < values / kValues * kBlockBytes; b += 64) {
          __builtin_prefetch(blocks + kGemvStreamPrefetchBytes + b, 0, 0);
        }
        if (rows == 1) {
          DotChunk<V, Widen, D>(blocks, values, x + r0 * k + c, acc[0]);
          continue;
        }
        DecodeChunk<V, Widen, D>(blocks, values, decoded);
        for (int r = 0; r < rows; ++r) {
          const float* xr = x + (r0 + r) * k + c;
          // values is a multiple of 32: whole pairs of vectors on both ISAs.
          for (int i = 0; i < values; i += 2 * V::kLanes) {
            acc[r][0] = V::Fma(V::Load(decoded + i), V::Load(xr + i), acc[r][0]);
            acc[r][1] = V::Fma(V::Load(decoded + i + V::kLanes), V::Load(xr + i + V::kLanes), acc[r][1]);
          }
        }
      }
      for (int r = 0; r < rows; ++r) y[(r0 + r) * ldy + j] = V::ReduceAdd(V::Add(acc[r][0], acc[r][1]));
    }
  }
}

}  // namespace ttt::kernels::generic
