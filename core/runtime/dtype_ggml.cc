#include "core/runtime/dtype_ggml.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include "core/runtime/check.h"
#include "core/runtime/dtype_traits.h"

namespace ttt::ggml {
namespace {

void DecodeQ8_0(const BlockQ8_0& b, float* y) {
  const float d = F16ToF32(b.d);
  for (int i = 0; i < kQ32; ++i) y[i] = d * b.qs[i];
}

void DecodeQ4_0(const BlockQ4_0& b, float* y) {
  const float d = F16ToF32(b.d);
  for (int i = 0; i < kQ32 / 2; ++i) {
    y[i] = d * ((b.qs[i] & 0xF) - 8);
    y[i + kQ32 / 2] = d * ((b.qs[i] >> 4) - 8);
  }
}

void DecodeQ5_0(const BlockQ5_0& b, float* y) {
  const float d = F16ToF32(b.d);
  uint32_t qh;
  std::memcpy(&qh, b.qh, 4);
  for (int i = 0; i < kQ32 / 2; ++i) {
    const int lo = (b.qs[i] & 0xF) | static_cast<int>(((qh >> i) & 1) << 4);
    const int hi = (b.qs[i] >> 4) | static_cast<int>(((qh >> (i + 16)) & 1) << 4);
    y[i] = d * (lo - 16);
    y[i + kQ32 / 2] = d * (hi - 16);
  }
}

void DecodeIQ4NL(const BlockIQ4NL& b, float* y) {
  const float d = F16ToF32(b.d);
  for (int i = 0; i < kQ32 / 2; ++i) {
    y[i] = d * kIQ4NLValues[b.qs[i] & 0xF];
    y[i + kQ32 / 2] = d * kIQ4NLValues[b.qs[i] >> 4];
  }
}

// Q4_K and Q5_K: `qh` is null for Q4_K.
void DecodeK4(uint16_t d_bits, uint16_t dmin_bits, const uint8_t* scales, const uint8_t* qs, const uint8_t* qh,
              float* y) {
  const float d = F16ToF32(d_bits), dmin = F16ToF32(dmin_bits);
  for (int pair = 0; pair < 4; ++pair) {
    for (int half = 0; half < 2; ++half) {
      const int sub = 2 * pair + half;
      uint8_t sc, m;
      ScaleMinK4(sub, scales, &sc, &m);
      const float scale = d * sc, min = dmin * m;
      for (int l = 0; l < 32; ++l) {
        int q = half == 0 ? qs[32 * pair + l] & 0xF : qs[32 * pair + l] >> 4;
        if (qh != nullptr) q += ((qh[l] >> sub) & 1) << 4;
        y[32 * sub + l] = scale * q - min;
      }
    }
  }
}

void DecodeQ6_K(const BlockQ6_K& b, float* y) {
  const float d = F16ToF32(b.d);
  for (int half = 0; half < 2; ++half) {
    const uint8_t* ql = b.ql + 64 * half;
    const uint8_t* qh = b.qh + 32 * half;
    const int8_t* sc = b.scales + 8 * half;
    float* out = y + 128 * half;
    for (int j = 0; j < 4; ++j) {
      for (int l = 0; l < 32; ++l) {
        const uint8_t low = ql[l + 32 * (j & 1)];
        const int q = ((j < 2 ? low & 0xF : low >> 4) | (((qh[l] >> (2 * j)) & 3) << 4)) - 32;
        out[32 * j + l] = d * sc[2 * j + l / 16] * q;
      }
    }
  }
}

// A block holding NaN or Inf has no meaningful integers (and casting NaN to int8 is undefined): it gets q = 0
// and scale NaN, so its rounded values and every dot product with it are NaN, as the f32 sums would be.
bool NonFiniteBlock(const float* x, int n, int8_t* q, float* d) {
  for (int i = 0; i < n; ++i) {
    if (!std::isfinite(x[i])) {
      std::fill(q, q + n, int8_t{0});
      *d = std::numeric_limits<float>::quiet_NaN();
      return true;
    }
  }
  return false;
}

// llama.cpp's Q8_0 activation block (its AVX2 quantize_row_q8_0): q and the block's scale d.
float QuantizeQ8_0(const float* x, int8_t* q) {
  if (float nan; NonFiniteBlock(x, kQ32, q, &nan)) return nan;
  float amax = 0;
  for (int i = 0; i < kQ32; ++i) amax = std::max(amax, std::fabs(x[i]));
  const float d = F16ToF32(F32ToF16(amax / 127.f));
  const float id = amax != 0 ? 127.f / amax : 0.f;
  for (int i = 0; i < kQ32; ++i) q[i] = static_cast<int8_t>(std::nearbyint(x[i] * id));
  return d;
}

// llama.cpp's Q8_K activation block (quantize_row_q8_K_ref): q and the block's scale d.
float QuantizeQ8_K(const float* x, int8_t* q) {
  if (float nan; NonFiniteBlock(x, kQK, q, &nan)) return nan;
  float max = 0, amax = 0;
  for (int i = 0; i < kQK; ++i) {
    if (std::fabs(x[i]) > amax) {
      amax = std::fabs(x[i]);
      max = x[i];
    }
  }
  if (amax == 0) {
    std::fill(q, q + kQK, int8_t{0});
    return 0;
  }
  const float iscale = -127.f / max;
  for (int i = 0; i < kQK; ++i) q[i] = static_cast<int8_t>(std::min(127.f, std::nearbyint(iscale * x[i])));
  return 1 / iscale;
}

}  // namespace

void RoundActivations(DType weight_dtype, const float* x, int64_t k, float* out) {
  const bool k_format = BlockValues(weight_dtype) == kQK;
  const int block = k_format ? kQK : kQ32;
  int8_t q[kQK];
  for (int64_t i = 0; i < k; i += block) {
    const float d = k_format ? QuantizeQ8_K(x + i, q) : QuantizeQ8_0(x + i, q);
    for (int j = 0; j < block; ++j) out[i + j] = d * q[j];
  }
}

void QuantizeActivations(DType weight_dtype, const float* x, int64_t k, QuantizedActivations* out) {
  const bool k_format = BlockValues(weight_dtype) == kQK;
  const int block = k_format ? kQK : kQ32;
  out->q.resize(static_cast<size_t>(k));
  out->d.resize(static_cast<size_t>(k / block));
  out->bsum16.resize(static_cast<size_t>(k / 16));
  out->bsum32.resize(static_cast<size_t>(k / 32));
  for (int64_t i = 0; i < k; i += block) {
    out->d[i / block] = k_format ? QuantizeQ8_K(x + i, &out->q[i]) : QuantizeQ8_0(x + i, &out->q[i]);
  }
  for (int64_t s = 0; s < k / 16; ++s) {
    int sum = 0;
    for (int j = 0; j < 16; ++j) sum += out->q[s * 16 + j];
    out->bsum16[s] = static_cast<int16_t>(sum);
  }
  for (int64_t s = 0; s < k / 32; ++s) {
    out->bsum32[s] = static_cast<int16_t>(out->bsum16[2 * s] + out->bsum16[2 * s + 1]);
  }
}

int BlockValues(DType dtype) { return Traits(dtype).block_size; }

void DecodeRow(DType dtype, const void* src, int64_t count, float* dst) {
  TTT_CHECK(IsGgmlFormat(dtype) && count % BlockValues(dtype) == 0)
      << "ggml::DecodeRow: " << DTypeName(dtype) << " row of " << count << " values";
  const int64_t blocks = count / BlockValues(dtype);
  for (int64_t i = 0; i < blocks; ++i) {
    switch (dtype) {
      case DType::kQ8_0: DecodeQ8_0(static_cast<const BlockQ8_0*>(src)[i], dst + i * kQ32); break;
      case DType::kQ4_0: DecodeQ4_0(static_cast<const BlockQ4_0*>(src)[i], dst + i * kQ32); break;
      case DType::kQ5_0: DecodeQ5_0(static_cast<const BlockQ5_0*>(src)[i], dst + i * kQ32); break;
      case DType::kIQ4_NL: DecodeIQ4NL(static_cast<const BlockIQ4NL*>(src)[i], dst + i * kQ32); break;
      case DType::kQ4_K: {
        const BlockQ4_K& b = static_cast<const BlockQ4_K*>(src)[i];
        DecodeK4(b.d, b.dmin, b.scales, b.qs, nullptr, dst + i * kQK);
        break;
      }
      case DType::kQ5_K: {
        const BlockQ5_K& b = static_cast<const BlockQ5_K*>(src)[i];
        DecodeK4(b.d, b.dmin, b.scales, b.qs, b.qh, dst + i * kQK);
        break;
      }
      case DType::kQ6_K: DecodeQ6_K(static_cast<const BlockQ6_K*>(src)[i], dst + i * kQK); break;
      default: break;
    }
  }
}

}  // namespace ttt::ggml
