#include "core/ops/internal/tt_pack.h"

#include <algorithm>
#include <cmath>

#include "core/kernels/internal/tt_fidelity.h"
#include "core/runtime/check.h"

namespace ttt::ops::tt_internal {
namespace {

using kernels::tt::Bits;
using kernels::tt::RoundBf16;

// Round to `bits` significant bits (hidden one included), ties away from zero, on the FP32 pattern (§1.6
// "early conversion ... rounding to E8M6"). Denormals flush to zero.
uint32_t RoundSignificantTiesAway(uint32_t u, int bits) {
  if ((u & 0x7F800000u) == 0) return 0;
  const int drop = 24 - bits;
  u += 1u << (drop - 1);  // magnitude + half an ulp: a carry into the exponent is a correct round-up
  return u & ~((1u << drop) - 1u);
}

}  // namespace

void DevicePackBfpBlock(float* values, int count, int magnitude_bits) {
  uint32_t r[16];
  int shared = 0;
  for (int i = 0; i < count; ++i) {
    r[i] = RoundSignificantTiesAway(Bits(values[i]), 7);  // E8M6 intermediate (always bfp8's 7 bits, §1.6)
    shared = std::max<int>(shared, (r[i] >> 23) & 0xFF);
  }
  for (int i = 0; i < count; ++i) {
    const int e = (r[i] >> 23) & 0xFF;
    uint32_t mag = 0;
    if (e != 0) {
      const uint32_t sig = ((r[i] >> 17) & 0x3Fu) | 0x40u;  // 7-bit significand 1.xxxxxx
      const int shift = shared - e;
      if (shift == 0) {
        mag = sig;
      } else if (shift < 8) {
        mag = (sig + (1u << (shift - 1))) >> shift;  // "late conversion ... rounds" (§1.6), ties away
      }
      mag = std::min<uint32_t>(mag, 127);  // saturate, the shared exponent never grows (§1.4 step 5)
    }
    if (magnitude_bits == 3) mag >>= 4;  // bfp4 = bfp8 truncated (§1.6)
    const float v = mag == 0 ? 0.0f
                             : std::ldexp(static_cast<float>(mag), shared - 127 - (magnitude_bits - 1));
    values[i] = (r[i] & 0x80000000u) && mag != 0 ? -v : v;  // no -0 (§1.6)
  }
}

void PackOutputRow(float* row, int64_t n, DType dtype) {
  switch (dtype) {
    case DType::kF32:
      return;
    case DType::kBF16:
      for (int64_t i = 0; i < n; ++i) row[i] = RoundBf16(row[i]);
      return;
    case DType::kF16:
      for (int64_t i = 0; i < n; ++i) row[i] = F16ToF32(F32ToF16(row[i]));
      return;
    case DType::kBFP8:
    case DType::kBFP4:
      for (int64_t b = 0; b < n; b += kBfpBlockSize) {
        DevicePackBfpBlock(row + b, static_cast<int>(std::min<int64_t>(kBfpBlockSize, n - b)),
                           dtype == DType::kBFP8 ? 7 : 3);
      }
      return;
    default:
      TTT_CHECK(false) << "TtMatmulNumerics.output_dtype " << DTypeName(dtype)
                       << " is not a packer format (use f32, bf16, f16, bfp8 or bfp4)";
  }
}

}  // namespace ttt::ops::tt_internal
