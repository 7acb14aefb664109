// The packer of the emulated Tenstorrent device: Dst values -> output dtype, in place on f32 values
// (../shared/notes/tt-numerics.md §1.6, §2.7 step 3).
#pragma once

#include <cstdint>

#include "core/runtime/dtype.h"

namespace ttt::ops::tt_internal {

// Rounds one row of n values (the output's last dimension, where its block-float exponents are shared) to
// what a device-produced tensor of `dtype` holds:
//   f32: unchanged; bf16: round-to-nearest-even; f16: IEEE RNE;
//   bfp8: the device packer (§1.6): each value first rounded to E8M6 (7 significant bits), then one exponent
//         per 16 values (the largest), magnitudes aligned and rounded to 7 bits, saturating at 127;
//   bfp4: bfp8 as above, then the magnitude truncated to 3 bits (§1.6: "BFP4/BFP2 are produced by first
//         making BFP8 and then truncating"; the default pack intermediate format of any BFP output is Bfp8_b).
// Hardware rounding is ties-away-from-zero per [ISA] (§1.6; the LLK comment says RNE: UNCONFIRMED). Denormals
// flush to zero and -0 becomes +0 (§1.6).
void PackOutputRow(float* row, int64_t n, DType dtype);

// One block (at most 16 values) through the device bfp packer; `magnitude_bits` 7 (bfp8) or 3 (bfp4).
void DevicePackBfpBlock(float* values, int count, int magnitude_bits);

}  // namespace ttt::ops::tt_internal
