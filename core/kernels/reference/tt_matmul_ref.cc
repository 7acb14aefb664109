// The emulated Tenstorrent matmul's inner loops (kernel_table.h TtPanelFn, TtRowFn), one product at a time.
//
// Order of accumulation: per K tile of 32, phases 0..P-1 (each phase a separate MVMUL pass over the tile,
// ../shared/notes/tt-numerics.md §2.3 "Each phase is a separate MVMUL that accumulates into Dst"; the LLK runs
// the fidelity phases as the outer loop of the tile's MVMULs), each MVMUL adding the sum of 16 products (§2.7
// step 2). The exact order of phases relative to K is UNCONFIRMED (§6 item 2); with an FP32 Dst it changes
// nothing but FP32 rounding.
#include <cstdint>
#include <cstring>

#include "core/kernels/reference/reference_kernels.h"

namespace ttt::kernels::reference {
namespace {

// §2.5: with fp32_dest_acc_en off, Dst is BF16 and every FPU accumulation is rounded to 16 bits. The
// rounding mode is UNCONFIRMED (§2.5, §6 item 2); the LLK comment says round-to-nearest-even, used here.
// NaN stays NaN (quietened); overflow goes to infinity as RNE does.
inline float RoundDstToBf16(float x) {
  uint32_t u;
  std::memcpy(&u, &x, 4);
  if ((u & 0x7F800000u) == 0x7F800000u && (u & 0x007FFFFFu)) {
    u |= 0x00400000u;
  } else {
    u += 0x7FFFu + ((u >> 16) & 1u);
    u &= 0xFFFF0000u;
  }
  std::memcpy(&x, &u, 4);
  return x;
}

// One MVMUL adds 16 products into each Dst element (§2.4, §2.7 step 2). How the engine sums the 16 products
// internally is UNCONFIRMED (§6 item 2: "could be lower or higher than FP32"); here they are summed in FP32 as
// a pairwise tree (l + l+8, then +4, +2, +1), the order a 16-lane vector reduction has, so the scalar and
// vector kernels agree bit for bit. The products of phase parts are exact in FP32 (at most 10 x 7 bits).
inline float SumOf16Products(const float* p) {
  float t[8];
  for (int l = 0; l < 8; ++l) t[l] = p[l] + p[l + 8];
  for (int l = 0; l < 4; ++l) t[l] = t[l] + t[l + 4];
  for (int l = 0; l < 2; ++l) t[l] = t[l] + t[l + 2];
  return t[0] + t[1];
}

inline float Accumulate(float dst, float sum, bool fp32_acc) {
  return fp32_acc ? dst + sum : RoundDstToBf16(dst + sum);
}

}  // namespace

void TtPanel(const float* const b_part[2], const float* const a_panel[2], int64_t kp, int phases, bool fp32_acc,
             float* out) {
  constexpr int kRows = kTtPanelRows;
  float dst[kRows] = {};
  float prod[16];
  for (int64_t kt = 0; kt < kp; kt += 32) {
    for (int p = 0; p < phases; ++p) {
      const float* b = b_part[p >> 1];
      const float* a = a_panel[p & 1];
      for (int64_t k0 = kt; k0 < kt + 32; k0 += 16) {
        for (int r = 0; r < kRows; ++r) {
          for (int l = 0; l < 16; ++l) prod[l] = b[k0 + l] * a[(k0 + l) * kRows + r];
          dst[r] = Accumulate(dst[r], SumOf16Products(prod), fp32_acc);
        }
      }
    }
  }
  for (int r = 0; r < kRows; ++r) out[r] = dst[r];
}

float TtRow(const float* const b_part[2], const float* const a_row[2], int64_t kp, int phases, bool fp32_acc) {
  float dst = 0;
  float prod[16];
  for (int64_t kt = 0; kt < kp; kt += 32) {
    for (int p = 0; p < phases; ++p) {
      const float* b = b_part[p >> 1];
      const float* a = a_row[p & 1];
      for (int64_t k0 = kt; k0 < kt + 32; k0 += 16) {
        for (int l = 0; l < 16; ++l) prod[l] = b[k0 + l] * a[k0 + l];
        dst = Accumulate(dst, SumOf16Products(prod), fp32_acc);
      }
    }
  }
  return dst;
}

}  // namespace ttt::kernels::reference
