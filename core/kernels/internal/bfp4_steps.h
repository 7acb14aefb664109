// The step layout of bfp4 decode weights for AVX2 (kernel_table.h: KernelTable::gemv_bfp4_steps).
//
// A bfp4 row is blocks of 9 bytes: an exponent byte, then 8 bytes of 4-bit sign-magnitude codes (value 2i in
// byte i's low nibble, 2i + 1 in its high one; bit 3 of a code is the sign). The AVX2 GEMV reads steps of 4
// blocks (36 bytes), and in that form spends most of its uops moving bytes: gathering the 4 blocks' data past
// the exponent bytes and looking every code up in a table (avx2/gemv_int_dot_avx2.cc). Packed at load, each
// whole step of a row becomes
//
//   bytes 0..3   the 4 blocks' exponent bytes, in order;
//   bytes 4..35  the 4 blocks' 8 data bytes, in order, each code replaced by its signed magnitude + 8 (1..15;
//                both zeros, +0 and -0, give 8),
//
// so one load gives the codes ready for vpmaddubsw. A row's last blocks when there are fewer than 4 keep the
// stored layout. The packing is row by row, in place of the row, so the packed weight has the stored size and
// every row stays where it was. Unpacking gives the stored bytes back, except that a -0 code comes back as +0
// (the same value).
#pragma once

#include <cstdint>

namespace ttt::kernels::internal {

inline constexpr int64_t kBfp4BlockBytes = 9;
inline constexpr int64_t kBfp4StepBlocks = 4;
inline constexpr int64_t kBfp4StepBytes = kBfp4StepBlocks * kBfp4BlockBytes;

// A 4-bit sign-magnitude code as its value + 8, and back.
inline uint8_t Bfp4CodeBiased(uint8_t code) { return code & 8 ? 8 - (code & 7) : 8 + code; }
inline uint8_t Bfp4BiasedCode(uint8_t biased) { return biased >= 8 ? biased - 8 : (8 - biased) | 8; }

// One row of `blocks` stored bfp4 blocks at src into the step layout at dst (dst != src).
inline void PackBfp4StepRow(const uint8_t* src, int64_t blocks, uint8_t* dst) {
  const int64_t whole = blocks / kBfp4StepBlocks;
  for (int64_t s = 0; s < whole; ++s, src += kBfp4StepBytes, dst += kBfp4StepBytes) {
    for (int64_t b = 0; b < kBfp4StepBlocks; ++b) {
      const uint8_t* block = src + b * kBfp4BlockBytes;
      dst[b] = block[0];
      for (int64_t i = 0; i < 8; ++i) {
        const uint8_t byte = block[1 + i];
        dst[kBfp4StepBlocks + 8 * b + i] =
            static_cast<uint8_t>(Bfp4CodeBiased(byte & 15) | Bfp4CodeBiased(byte >> 4) << 4);
      }
    }
  }
  for (int64_t i = 0; i < (blocks - whole * kBfp4StepBlocks) * kBfp4BlockBytes; ++i) dst[i] = src[i];
}

// The inverse of PackBfp4StepRow (-0 codes come back as +0).
inline void UnpackBfp4StepRow(const uint8_t* src, int64_t blocks, uint8_t* dst) {
  const int64_t whole = blocks / kBfp4StepBlocks;
  for (int64_t s = 0; s < whole; ++s, src += kBfp4StepBytes, dst += kBfp4StepBytes) {
    for (int64_t b = 0; b < kBfp4StepBlocks; ++b) {
      uint8_t* block = dst + b * kBfp4BlockBytes;
      block[0] = src[b];
      for (int64_t i = 0; i < 8; ++i) {
        const uint8_t byte = src[kBfp4StepBlocks + 8 * b + i];
        block[1 + i] = static_cast<uint8_t>(Bfp4BiasedCode(byte & 15) | Bfp4BiasedCode(byte >> 4) << 4);
      }
    }
  }
  for (int64_t i = 0; i < (blocks - whole * kBfp4StepBlocks) * kBfp4BlockBytes; ++i) dst[i] = src[i];
}

// `rows` rows of `row_bytes` bytes (whole blocks), packed or unpacked one by one.
inline void PackBfp4StepRows(const void* src, int64_t rows, int64_t row_bytes, void* dst) {
  for (int64_t j = 0; j < rows; ++j) {
    PackBfp4StepRow(static_cast<const uint8_t*>(src) + j * row_bytes, row_bytes / kBfp4BlockBytes,
                    static_cast<uint8_t*>(dst) + j * row_bytes);
  }
}
inline void UnpackBfp4StepRows(const void* src, int64_t rows, int64_t row_bytes, void* dst) {
  for (int64_t j = 0; j < rows; ++j) {
    UnpackBfp4StepRow(static_cast<const uint8_t*>(src) + j * row_bytes, row_bytes / kBfp4BlockBytes,
                      static_cast<uint8_t*>(dst) + j * row_bytes);
  }
}

}  // namespace ttt::kernels::internal
