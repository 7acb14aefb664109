// The inner loop of the emulated Tenstorrent matmul (core/ops/tt_numerics.cc): one activation row against a
// panel of 16 weight rows, every fidelity phase and every Dst accumulation as the device does them
// (../shared/notes/tt-numerics.md §2.3, §2.5, §2.7). A scalar kernel (the reference) and an AVX-512 one that
// gives bit-identical results (same products, same summation tree, same roundings).
#pragma once

#include <cstdint>

namespace ttt::ops::tt_internal {

// Operands, already unpacked and split into phase parts (tt_fidelity.h):
//   b_part[0|1]: kp SrcB values (hi / lo part) of one activation row; kp is a multiple of 32 (one tile).
//   a_panel[0|1]: the SrcA parts of 16 weight rows, interleaved: a_panel[p][k * 16 + r] is row r's value k.
// Unused parts (lo parts a fidelity does not need) may be null. Writes the 16 Dst values (after the last
// accumulation; BF16-rounded unless fp32_acc) to out.
using TtPanelFn = void (*)(const float* const b_part[2], const float* const a_panel[2], int64_t kp, int phases,
                           bool fp32_acc, float* out);

void TtPanelScalar(const float* const b_part[2], const float* const a_panel[2], int64_t kp, int phases,
                   bool fp32_acc, float* out);

// The same computation for one weight row (a_row[0|1]: its kp SrcA hi / lo values), returning its Dst value.
// For few activation rows (decode), where interleaving a panel would cost more than the products themselves.
using TtRowFn = float (*)(const float* const b_part[2], const float* const a_row[2], int64_t kp, int phases,
                          bool fp32_acc);

float TtRowScalar(const float* const b_part[2], const float* const a_row[2], int64_t kp, int phases,
                  bool fp32_acc);

namespace avx512 {
void TtPanelAvx512(const float* const b_part[2], const float* const a_panel[2], int64_t kp, int phases,
                   bool fp32_acc, float* out);
float TtRowAvx512(const float* const b_part[2], const float* const a_row[2], int64_t kp, int phases,
                  bool fp32_acc);
}  // namespace avx512

// The best kernels this machine and build support (TTT_ISA caps it, see core/runtime/cpu_features.h).
TtPanelFn ActiveTtPanelKernel();
TtRowFn ActiveTtRowKernel();

}  // namespace ttt::ops::tt_internal
