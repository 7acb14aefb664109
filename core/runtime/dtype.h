// Element types of tensors and the conversions between them and f32.
//
// Block-float formats follow Tenstorrent's bfloat8_b / bfloat4_b (see hwconfig/NUMERICS.md for sources):
// 16 consecutive values along the last dimension share one 8-bit exponent (bias 127); each value keeps a
// sign bit and a 7-bit (bfp8) or 3-bit (bfp4) magnitude with no hidden one.
//
// The ggml block formats (kQ8_0 ... kQ6_K) are llama.cpp's quantised weights, kept in a GGUF file's bytes
// (core/runtime/dtype_ggml.h): they can be decoded to f32 but not encoded (nothing here quantises to them).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace ttt {

enum class DType : uint8_t {
  kF32, kF16, kBF16, kI8, kI32, kBFP8, kBFP4,
  kQ8_0, kQ4_0, kQ5_0, kIQ4_NL, kQ4_K, kQ5_K, kQ6_K,  // ggml's blocks, decode only
};

inline constexpr int kBfpBlockSize = 16;

// One block of 16 bfp8 values: the shared exponent, then sign|magnitude bytes.
struct Bfp8Block {
  uint8_t exponent;
  uint8_t data[kBfpBlockSize];
};
static_assert(sizeof(Bfp8Block) == 17, "bfp8 block is 1 exponent byte + 16 data bytes");

// One block of 16 bfp4 values: even value in the low nibble, odd value in the high nibble.
struct Bfp4Block {
  uint8_t exponent;
  uint8_t data[kBfpBlockSize / 2];
};
static_assert(sizeof(Bfp4Block) == 9, "bfp4 block is 1 exponent byte + 8 data bytes");

absl::string_view DTypeName(DType dtype);
absl::StatusOr<DType> ParseDType(absl::string_view name);

bool IsBlockFormat(DType dtype);
// A ggml block format (kQ8_0 ... kQ6_K): stored as the GGUF file has it, never converted to.
bool IsGgmlFormat(DType dtype);
// Bytes taken by `count` contiguous elements; block formats round up to whole blocks.
size_t StorageBytes(DType dtype, int64_t count);
// Size of one element for non-block types (0 for block formats).
size_t ElementSize(DType dtype);

// Scalar conversions, IEEE round-to-nearest-even; NaN stays NaN, infinities and denormals are kept.
uint16_t F32ToF16(float value);
float F16ToF32(uint16_t bits);
uint16_t F32ToBF16(float value);
inline float BF16ToF32(uint16_t bits) {
  uint32_t u = static_cast<uint32_t>(bits) << 16;
  float f;
  __builtin_memcpy(&f, &u, 4);
  return f;
}

// Block-float encode/decode of exactly one block (16 values), the host algorithm of tt-metal.
Bfp8Block EncodeBfp8Block(const float* values);
void DecodeBfp8Block(const Bfp8Block& block, float* values);
Bfp4Block EncodeBfp4Block(const float* values);
void DecodeBfp4Block(const Bfp4Block& block, float* values);

// Converts `count` contiguous elements between f32 and `dtype`. For block formats `count` values are
// padded with zeros to a whole number of blocks. i8/i32 convert by rounding and saturating. ConvertFromF32
// fails (TTT_CHECK) for the ggml formats; ConvertToF32 of them takes whole blocks only.
void ConvertFromF32(const float* src, int64_t count, DType dtype, void* dst);
void ConvertToF32(const void* src, int64_t count, DType dtype, float* dst);

}  // namespace ttt
