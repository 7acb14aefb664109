#include "core/runtime/dtype.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "core/runtime/check.h"
#include "core/runtime/dtype_ggml.h"
#include "core/runtime/dtype_traits.h"

namespace ttt {
namespace {

uint32_t FloatBits(float f) {
  uint32_t u;
  std::memcpy(&u, &f, 4);
  return u;
}
float BitsFloat(uint32_t u) {
  float f;
  std::memcpy(&f, &u, 4);
  return f;
}

// Rounds `value` right by `shift` bits to nearest, ties to even (shift >= 1).
uint32_t ShiftRoundNearestEven(uint32_t value, int shift) {
  uint32_t q = value >> shift;
  uint32_t rem = value & ((1u << shift) - 1);
  uint32_t half = 1u << (shift - 1);
  if (rem > half || (rem == half && (q & 1))) ++q;
  return q;
}

// tt-metal's host block-float encoder (pack_as_bfp_tiles), for `magnitude_bits` = 7 (bfp8) or 3 (bfp4):
// shared exponent = max raw exponent field; each significand is aligned by truncation, rounded to
// nearest-even on the surviving bits, saturated; zero and denormal inputs give +0.
template <int kMagnitudeBits>
uint8_t EncodeBlockCodes(const float* values, uint8_t* codes) {
  uint32_t shared = 0;
  for (int i = 0; i < kBfpBlockSize; ++i) shared = std::max(shared, (FloatBits(values[i]) >> 23) & 0xff);
  constexpr uint32_t kMaxMagnitude = (1u << kMagnitudeBits) - 1;
  for (int i = 0; i < kBfpBlockSize; ++i) {
    uint32_t bits = FloatBits(values[i]);
    uint32_t exponent = (bits >> 23) & 0xff;
    if (exponent == 0) {
      codes[i] = 0;
      continue;
    }
    uint32_t significand = (bits & 0x7fffff) | 0x800000;
    uint32_t shift = shared - exponent;
    significand = shift >= 32 ? 0 : significand >> shift;
    uint32_t magnitude = ShiftRoundNearestEven(significand, 24 - kMagnitudeBits);
    magnitude = std::min(magnitude, kMaxMagnitude);
    uint32_t sign = magnitude == 0 ? 0 : (bits >> 31);
    codes[i] = static_cast<uint8_t>((sign << kMagnitudeBits) | magnitude);
  }
  return static_cast<uint8_t>(shared);
}

// Decodes sign|magnitude codes as +-magnitude * 2^(exponent - 127 - (bits - 1)), built bit by bit so
// that an all-ones exponent yields Inf/NaN exactly as the hardware's format does; underflow flushes to 0.
template <int kMagnitudeBits>
float DecodeCode(uint8_t exponent, uint8_t code) {
  uint32_t magnitude = code & ((1u << kMagnitudeBits) - 1);
  if (magnitude == 0) return 0.0f;
  uint32_t sign = (code >> kMagnitudeBits) & 1;
  int top = 31 - __builtin_clz(magnitude);
  int exponent_field = static_cast<int>(exponent) - (kMagnitudeBits - 1) + top;
  if (exponent_field <= 0) return 0.0f;
  uint32_t mantissa = (magnitude - (1u << top)) << (23 - top);
  return BitsFloat((sign << 31) | (static_cast<uint32_t>(exponent_field) << 23) | mantissa);
}

template <typename Int>
Int RoundSaturate(float value) {
  if (std::isnan(value)) return 0;
  double r = std::nearbyint(static_cast<double>(value));
  r = std::clamp(r, static_cast<double>(std::numeric_limits<Int>::min()),
                 static_cast<double>(std::numeric_limits<Int>::max()));
  return static_cast<Int>(r);
}

}  // namespace

absl::string_view DTypeName(DType dtype) {
  const size_t i = static_cast<size_t>(dtype);
  return i < AllDTypeTraits().size() ? Traits(dtype).name : "unknown";
}

absl::StatusOr<DType> ParseDType(absl::string_view name) {
  if (const DTypeTraits* t = FindDType(name)) return t->dtype;
  std::string names;
  for (const DTypeTraits& t : AllDTypeTraits()) absl::StrAppend(&names, names.empty() ? "" : ", ", t.name);
  return absl::InvalidArgumentError(absl::StrCat("unknown dtype '", name, "': use one of ", names));
}

bool IsBlockFormat(DType dtype) { return Traits(dtype).block_size > 1; }

bool IsGgmlFormat(DType dtype) { return dtype >= DType::kQ8_0; }

size_t ElementSize(DType dtype) {
  const DTypeTraits& t = Traits(dtype);
  return t.block_size > 1 ? 0 : static_cast<size_t>(t.bytes_per_value);
}

size_t StorageBytes(DType dtype, int64_t count) {
  const DTypeTraits& t = Traits(dtype);
  if (t.block_size == 1) return static_cast<size_t>(count) * static_cast<size_t>(t.bytes_per_value);
  const size_t blocks = static_cast<size_t>((count + t.block_size - 1) / t.block_size);
  return blocks * static_cast<size_t>(t.bytes_per_value * t.block_size);
}

uint16_t F32ToF16(float value) {
  uint32_t x = FloatBits(value);
  uint16_t sign = static_cast<uint16_t>((x >> 16) & 0x8000);
  x &= 0x7fffffff;
  if (x >= 0x7f800000) {  // inf or nan (nan keeps its top payload bits and stays quiet)
    if (x == 0x7f800000) return sign | 0x7c00;
    return static_cast<uint16_t>(sign | 0x7e00 | ((x >> 13) & 0x3ff));
  }
  int exponent = static_cast<int>(x >> 23) - 127 + 15;
  if (exponent >= 31) return sign | 0x7c00;
  if (exponent <= 0) {  // f16 denormal range: units of 2^-24
    if (x < 0x33000000) return sign;  // below half the smallest denormal
    uint32_t significand = (x & 0x7fffff) | 0x800000;
    int shift = 126 - static_cast<int>(x >> 23);  // 14..24
    return static_cast<uint16_t>(sign | ShiftRoundNearestEven(significand, shift));
  }
  uint32_t q = (static_cast<uint32_t>(exponent) << 10) | ((x & 0x7fffff) >> 13);
  uint32_t rem = x & 0x1fff;
  if (rem > 0x1000 || (rem == 0x1000 && (q & 1))) ++q;  // a carry may reach inf: correct
  return static_cast<uint16_t>(sign | q);
}

float F16ToF32(uint16_t bits) {
  uint32_t sign = static_cast<uint32_t>(bits & 0x8000) << 16;
  uint32_t exponent = (bits >> 10) & 0x1f;
  uint32_t mantissa = bits & 0x3ff;
  if (exponent == 0) {
    float magnitude = static_cast<float>(mantissa) * 0x1p-24f;
    return sign ? -magnitude : magnitude;
  }
  if (exponent == 31) return BitsFloat(sign | 0x7f800000 | (mantissa << 13));
  return BitsFloat(sign | ((exponent + 112) << 23) | (mantissa << 13));
}

uint16_t F32ToBF16(float value) {
  uint32_t x = FloatBits(value);
  if ((x & 0x7fffffff) > 0x7f800000) return static_cast<uint16_t>((x >> 16) | 0x40);  // quiet NaN
  x += 0x7fff + ((x >> 16) & 1);
  return static_cast<uint16_t>(x >> 16);
}

Bfp8Block EncodeBfp8Block(const float* values) {
  Bfp8Block block;
  block.exponent = EncodeBlockCodes<7>(values, block.data);
  return block;
}

void DecodeBfp8Block(const Bfp8Block& block, float* values) {
  for (int i = 0; i < kBfpBlockSize; ++i) values[i] = DecodeCode<7>(block.exponent, block.data[i]);
}

Bfp4Block EncodeBfp4Block(const float* values) {
  uint8_t codes[kBfpBlockSize];
  Bfp4Block block;
  block.exponent = EncodeBlockCodes<3>(values, codes);
  for (int i = 0; i < kBfpBlockSize / 2; ++i) {
    block.data[i] = static_cast<uint8_t>(codes[2 * i] | (codes[2 * i + 1] << 4));
  }
  return block;
}

void DecodeBfp4Block(const Bfp4Block& block, float* values) {
  for (int i = 0; i < kBfpBlockSize / 2; ++i) {
    values[2 * i] = DecodeCode<3>(block.exponent, block.data[i] & 0xf);
    values[2 * i + 1] = DecodeCode<3>(block.exponent, block.data[i] >> 4);
  }
}

void ConvertFromF32(const float* src, int64_t count, DType dtype, void* dst) {
  switch (dtype) {
    case DType::kF32:
      std::memcpy(dst, src, static_cast<size_t>(count) * 4);
      return;
    case DType::kF16:
      for (int64_t i = 0; i < count; ++i) static_cast<uint16_t*>(dst)[i] = F32ToF16(src[i]);
      return;
    case DType::kBF16:
      for (int64_t i = 0; i < count; ++i) static_cast<uint16_t*>(dst)[i] = F32ToBF16(src[i]);
      return;
    case DType::kI8:
      for (int64_t i = 0; i < count; ++i) static_cast<int8_t*>(dst)[i] = RoundSaturate<int8_t>(src[i]);
      return;
    case DType::kI32:
      for (int64_t i = 0; i < count; ++i) static_cast<int32_t*>(dst)[i] = RoundSaturate<int32_t>(src[i]);
      return;
    case DType::kBFP8:
    case DType::kBFP4: {
      float padded[kBfpBlockSize];
      for (int64_t start = 0, b = 0; start < count; start += kBfpBlockSize, ++b) {
        int64_t n = std::min<int64_t>(kBfpBlockSize, count - start);
        std::fill(padded, padded + kBfpBlockSize, 0.0f);
        std::copy(src + start, src + start + n, padded);
        if (dtype == DType::kBFP8) {
          static_cast<Bfp8Block*>(dst)[b] = EncodeBfp8Block(padded);
        } else {
          static_cast<Bfp4Block*>(dst)[b] = EncodeBfp4Block(padded);
        }
      }
      return;
    }
    case DType::kQ8_0: case DType::kQ4_0: case DType::kQ5_0: case DType::kIQ4_NL:
    case DType::kQ4_K: case DType::kQ5_K: case DType::kQ6_K:
      break;
  }
  TTT_CHECK(false) << "ConvertFromF32: nothing encodes " << DTypeName(dtype)
                   << " (ggml blocks come from GGUF files as they are)";
}

void ConvertToF32(const void* src, int64_t count, DType dtype, float* dst) {
  switch (dtype) {
    case DType::kF32:
      std::memcpy(dst, src, static_cast<size_t>(count) * 4);
      return;
    case DType::kF16:
      for (int64_t i = 0; i < count; ++i) dst[i] = F16ToF32(static_cast<const uint16_t*>(src)[i]);
      return;
    case DType::kBF16:
      for (int64_t i = 0; i < count; ++i) dst[i] = BF16ToF32(static_cast<const uint16_t*>(src)[i]);
      return;
    case DType::kI8:
      for (int64_t i = 0; i < count; ++i) dst[i] = static_cast<const int8_t*>(src)[i];
      return;
    case DType::kI32:
      for (int64_t i = 0; i < count; ++i) dst[i] = static_cast<float>(static_cast<const int32_t*>(src)[i]);
      return;
    case DType::kBFP8:
    case DType::kBFP4: {
      float block[kBfpBlockSize];
      for (int64_t start = 0, b = 0; start < count; start += kBfpBlockSize, ++b) {
        if (dtype == DType::kBFP8) {
          DecodeBfp8Block(static_cast<const Bfp8Block*>(src)[b], block);
        } else {
          DecodeBfp4Block(static_cast<const Bfp4Block*>(src)[b], block);
        }
        int64_t n = std::min<int64_t>(kBfpBlockSize, count - start);
        std::copy(block, block + n, dst + start);
      }
      return;
    }
    case DType::kQ8_0: case DType::kQ4_0: case DType::kQ5_0: case DType::kIQ4_NL:
    case DType::kQ4_K: case DType::kQ5_K: case DType::kQ6_K:
      ggml::DecodeRow(dtype, src, count, dst);
      return;
  }
}

}  // namespace ttt
