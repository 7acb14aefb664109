// The emulated Tenstorrent matmul's inner loops (kernel_table.h TtPanelFn, TtRowFn), one product at a time.
//
// Order of accumulation: per K tile of 32, phases 0..P-1 (each phase a separate MVMUL pass over the tile,
// ../shared/notes/tt-numerics.md §2.3 "Each phase is a separate MVMUL that accumulates into Dst"; the LLK runs
// the fidelity phases as the outer loop of the tile's MVMULs), each MVMUL adding the sum of 16 products (§2.7
// step 2). The exact order of phases relative to K is UNCONFIRMED (§6 item 2); with an FP32 Dst it changes
// nothing but FP32 rounding.
#include <cstdint>

#include "core/kernels/internal/tt_fidelity.h"
#include "core/kernels/reference/reference_kernels.h"

namespace ttt::kernels::reference {
namespace {

inline float Accumulate(float dst, float sum, bool fp32_acc) {
  return fp32_acc ? dst + sum : tt::RoundBf16(dst + sum);
}

}  // namespace

void TtPanel(const float* const b_part[2], const float* const a_panel[2], int64_t kp, int phases, bool fp32_acc,
             float* out) {
  constexpr int kRows = kTtPanelRows;
  float dst[kRows] = {};
  float prod[16];
  for (int64_t kt = 0; kt < kp; kt += 32) {
    for (int p = 0; p < phases; ++p) {
      const float* b = b_part[tt::SrcBPart(p)];
      const float* a = a_panel[tt::SrcAPart(p)];
      for (int64_t k0 = kt; k0 < kt + 32; k0 += 16) {
        for (int r = 0; r < kRows; ++r) {
          for (int l = 0; l < 16; ++l) prod[l] = b[k0 + l] * a[(k0 + l) * kRows + r];
          dst[r] = Accumulate(dst[r], tt::Dot16Tree(prod), fp32_acc);
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
      const float* b = b_part[tt::SrcBPart(p)];
      const float* a = a_row[tt::SrcAPart(p)];
      for (int64_t k0 = kt; k0 < kt + 32; k0 += 16) {
        for (int l = 0; l < 16; ++l) prod[l] = b[k0 + l] * a[k0 + l];
        dst = Accumulate(dst, tt::Dot16Tree(prod), fp32_acc);
      }
    }
  }
  return dst;
}

}  // namespace ttt::kernels::reference
