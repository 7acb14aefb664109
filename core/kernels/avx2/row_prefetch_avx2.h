// How far ahead the AVX2 GEMVs prefetch each weight row stream. Include only from *_avx2.cc files.
#pragma once

#include <cstddef>
#include <cstdint>

namespace ttt::kernels::avx2 {

// Whole 4-row blocks ahead, at least 4 KiB (measured on 1536 x 576 from DRAM, when the AVX-512 i8 and bf16
// GEMVs decoded to f32 too: 4 rows ahead doubled their speed, 2 rows was too close, 4 KiB beat 2 KiB by
// 5-10%). Rows are read in blocks of 4, so this is the same offset in a row the loop reaches later.
inline int64_t RowPrefetchDistance(size_t row_bytes) {
  int64_t rows = 4;
  while (static_cast<size_t>(rows) * row_bytes < 4096) rows += 4;
  return rows * static_cast<int64_t>(row_bytes);
}

}  // namespace ttt::kernels::avx2
