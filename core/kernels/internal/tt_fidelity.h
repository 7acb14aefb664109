// Bit-level helpers of the emulated Tenstorrent matrix engine: TF32 truncation, the per-fidelity-phase operand
// parts, the BF16 rounding of a 16-bit Dst and the summation of one MVMUL's 16 products. Shared by the TT
// matmul kernels (kernel_table.h tt_panel / tt_row, their scalar reference) and the op that prepares their
// operands and packs their results (core/ops/tt_numerics.cc, tt_pack.cc). Facts: ../shared/notes
// tt-numerics.md (section tags next to each use).
#pragma once

#include <cstdint>
#include <cstring>

namespace ttt::kernels::tt {

inline uint32_t Bits(float f) {
  uint32_t u;
  std::memcpy(&u, &f, 4);
  return u;
}
inline float FromBits(uint32_t u) {
  float f;
  std::memcpy(&f, &u, 4);
  return f;
}

// §2.1: FP32 -> SrcA/SrcB is TF32 (e8m10) by dropping the low 13 mantissa bits (truncation). BF16 and
// unpacked BFP values (§1.7) already have those bits zero.
inline float TruncTf32(float x) { return FromBits(Bits(x) & 0xFFFFE000u); }

// §2.3 "Fidelity phases": the multiplier is 5 bits (SrcA) x 7 bits (SrcB); bits are selected by masking
// (sign-magnitude truncation). In FP32 bit terms:
//   SrcA hi = hidden + top 4 mantissa bits          (mask 0xFFF80000)  -- trunc5(A)
//   SrcA lo = mantissa bits 5..9 of TF32 (FP32 bits 18..14; the TF32 LSB, FP32 bit 13, is never used)
//   SrcB hi = hidden + top 6 mantissa bits          (mask 0xFFFE0000)  -- trunc7(B)
//   SrcB lo = mantissa bits 7..10 of TF32 (FP32 bits 16..13)
// The lo parts are formed as differences, which are exact in FP32 (same sign and exponent range).
inline constexpr uint32_t kSrcAHiMask = 0xFFF80000u;
inline constexpr uint32_t kSrcAUsedMask = 0xFFFFC000u;  // TF32 without its LSB: A' of §2.3
inline constexpr uint32_t kSrcBHiMask = 0xFFFE0000u;
inline constexpr uint32_t kSrcBUsedMask = 0xFFFFE000u;  // all of TF32

inline float SrcAHi(float a) { return FromBits(Bits(a) & kSrcAHiMask); }
inline float SrcALo(float a) { return FromBits(Bits(a) & kSrcAUsedMask) - SrcAHi(a); }
inline float SrcBHi(float b) { return FromBits(Bits(b) & kSrcBHiMask); }
inline float SrcBLo(float b) { return FromBits(Bits(b) & kSrcBUsedMask) - SrcBHi(b); }

// §2.3: phase p multiplies SrcA part (p & 1) by SrcB part (p >> 1); LoFi runs phase 0, HiFi2 {0,1},
// HiFi3 {0,1,2}, HiFi4 {0,1,2,3}. Part 0 = hi, part 1 = lo.
inline int SrcAPart(int phase) { return phase & 1; }
inline int SrcBPart(int phase) { return phase >> 1; }

// §2.5: with fp32_dest_acc_en off, Dst is BF16 and every FPU accumulation is rounded to 16 bits. The
// rounding mode is UNCONFIRMED (§2.5, §6 item 2); the LLK comment says round-to-nearest-even, used here.
// NaN stays NaN (quietened); overflow goes to infinity as RNE does.
inline float RoundBf16(float x) {
  uint32_t u = Bits(x);
  if ((u & 0x7F800000u) == 0x7F800000u && (u & 0x007FFFFFu)) return FromBits(u | 0x00400000u);
  u += 0x7FFFu + ((u >> 16) & 1u);
  return FromBits(u & 0xFFFF0000u);
}

// One MVMUL adds 16 products into each Dst element (§2.4, §2.7 step 2). How the engine sums the 16 products
// internally is UNCONFIRMED (§6 item 2: "could be lower or higher than FP32"); here they are summed in FP32 as
// a pairwise tree (l + l+8, then +4, +2, +1), the order a 16-lane vector reduction has, so the scalar and
// vector kernels agree bit for bit. The products of phase parts are exact in FP32 (at most 10 x 7 bits).
inline float Dot16Tree(const float* p) {
  float t[8];
  for (int l = 0; l < 8; ++l) t[l] = p[l] + p[l + 8];
  for (int l = 0; l < 4; ++l) t[l] = t[l] + t[l + 4];
  for (int l = 0; l < 2; ++l) t[l] = t[l] + t[l + 2];
  return t[0] + t[1];
}

}  // namespace ttt::kernels::tt
