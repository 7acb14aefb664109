#include "core/ops/internal/tt_matmul_kernel.h"

#include "core/ops/internal/tt_fidelity.h"
#include "core/runtime/cpu_features.h"

namespace ttt::ops::tt_internal {

// Order of accumulation: per K tile of 32, phases 0..P-1 (each phase a separate MVMUL pass over the tile,
// §2.3 "Each phase is a separate MVMUL that accumulates into Dst"; the LLK runs the fidelity phases as the
// outer loop of the tile's MVMULs), each MVMUL adding the sum of 16 products (§2.7 step 2). The exact order of
// phases relative to K is UNCONFIRMED (§6 item 2); with an FP32 Dst it changes nothing but FP32 rounding.
void TtPanelScalar(const float* const b_part[2], const float* const a_panel[2], int64_t kp, int phases,
                   bool fp32_acc, float* out) {
  float dst[16] = {};
  float prod[16];
  for (int64_t kt = 0; kt < kp; kt += 32) {
    for (int p = 0; p < phases; ++p) {
      const float* b = b_part[SrcBPart(p)];
      const float* a = a_panel[SrcAPart(p)];
      for (int64_t k0 = kt; k0 < kt + 32; k0 += 16) {
        for (int r = 0; r < 16; ++r) {
          for (int l = 0; l < 16; ++l) prod[l] = b[k0 + l] * a[(k0 + l) * 16 + r];
          float s = Dot16Tree(prod);
          dst[r] = fp32_acc ? dst[r] + s : RoundBf16(dst[r] + s);  // §2.5
        }
      }
    }
  }
  for (int r = 0; r < 16; ++r) out[r] = dst[r];
}

float TtRowScalar(const float* const b_part[2], const float* const a_row[2], int64_t kp, int phases,
                  bool fp32_acc) {
  float dst = 0;
  float prod[16];
  for (int64_t kt = 0; kt < kp; kt += 32) {
    for (int p = 0; p < phases; ++p) {
      const float* b = b_part[SrcBPart(p)];
      const float* a = a_row[SrcAPart(p)];
      for (int64_t k0 = kt; k0 < kt + 32; k0 += 16) {
        for (int l = 0; l < 16; ++l) prod[l] = b[k0 + l] * a[k0 + l];
        const float s = Dot16Tree(prod);
        dst = fp32_acc ? dst + s : RoundBf16(dst + s);  // §2.5
      }
    }
  }
  return dst;
}

TtRowFn ActiveTtRowKernel() {
  static const TtRowFn fn = BestIsa() == Isa::kAvx512 ? &avx512::TtRowAvx512 : &TtRowScalar;
  return fn;
}

TtPanelFn ActiveTtPanelKernel() {
  static const TtPanelFn fn = BestIsa() == Isa::kAvx512 ? &avx512::TtPanelAvx512 : &TtPanelScalar;
  return fn;
}

}  // namespace ttt::ops::tt_internal
