#include "core/runtime/dtype.h"

#include <cmath>
#include <cstring>
#include <limits>
#include <random>

#include "gtest/gtest.h"

namespace ttt {
namespace {

float Bits(uint32_t u) {
  float f;
  std::memcpy(&f, &u, 4);
  return f;
}

TEST(F16Test, ExactValuesRoundTrip) {
  for (float v : {0.0f, -0.0f, 1.0f, -2.5f, 65504.0f, 0x1p-14f, 0x1p-24f, 3.140625f}) {
    EXPECT_EQ(F16ToF32(F32ToF16(v)), v) << v;
  }
  EXPECT_TRUE(std::signbit(F16ToF32(F32ToF16(-0.0f))));
}

TEST(F16Test, RoundsToNearestEven) {
  // 1 + 2^-11 is halfway between 1 and 1 + 2^-10: ties go to the even mantissa (1.0).
  EXPECT_EQ(F32ToF16(1.0f + 0x1p-11f), 0x3c00);
  // 1 + 3*2^-11 is halfway between 1+2^-10 (odd) and 1+2^-9 (even): rounds up.
  EXPECT_EQ(F32ToF16(1.0f + 3 * 0x1p-11f), 0x3c02);
  EXPECT_EQ(F32ToF16(1.0f + 0x1p-11f + 0x1p-20f), 0x3c01);  // above the tie
}

TEST(F16Test, OverflowDenormalsInfNan) {
  EXPECT_EQ(F32ToF16(65520.0f), 0x7c00);       // rounds up to infinity
  EXPECT_EQ(F32ToF16(65519.0f), 0x7bff);       // still the largest finite
  EXPECT_EQ(F32ToF16(1e10f), 0x7c00);
  EXPECT_EQ(F32ToF16(-std::numeric_limits<float>::infinity()), 0xfc00);
  EXPECT_TRUE(std::isnan(F16ToF32(F32ToF16(std::nanf("")))));
  EXPECT_EQ(F32ToF16(0x1p-24f), 0x0001);       // smallest denormal
  EXPECT_EQ(F32ToF16(0x1p-25f), 0x0000);       // exact tie with zero: even
  EXPECT_EQ(F32ToF16(0x1.8p-25f), 0x0001);     // above the tie
  EXPECT_EQ(F32ToF16(3 * 0x1p-25f), 0x0002);   // tie between 1 and 2 units: even (2)
  EXPECT_EQ(F16ToF32(0x03ff), 1023 * 0x1p-24f);  // largest denormal
  EXPECT_EQ(F32ToF16(1023.5f * 0x1p-24f), 0x0400);  // rounds up into the normals
}

TEST(F16Test, AllHalfValuesRoundTrip) {
  for (uint32_t h = 0; h < 0x10000; ++h) {
    float f = F16ToF32(static_cast<uint16_t>(h));
    if (std::isnan(f)) continue;
    EXPECT_EQ(F32ToF16(f), h) << std::hex << h;
  }
}

TEST(BF16Test, RoundsToNearestEvenAndKeepsSpecials) {
  EXPECT_EQ(F32ToBF16(1.0f), 0x3f80);
  EXPECT_EQ(F32ToBF16(Bits(0x3f808000)), 0x3f80);  // tie, even stays
  EXPECT_EQ(F32ToBF16(Bits(0x3f818000)), 0x3f82);  // tie, odd rounds up
  EXPECT_EQ(F32ToBF16(Bits(0x3f808001)), 0x3f81);
  EXPECT_EQ(F32ToBF16(std::numeric_limits<float>::infinity()), 0x7f80);
  EXPECT_EQ(F32ToBF16(Bits(0x7f7fffff)), 0x7f80);  // largest float rounds to inf
  EXPECT_TRUE(std::isnan(BF16ToF32(F32ToBF16(std::nanf("")))));
  EXPECT_TRUE(std::isnan(BF16ToF32(F32ToBF16(Bits(0x7f800001)))));  // low-payload NaN stays NaN
  EXPECT_EQ(BF16ToF32(F32ToBF16(Bits(0x00010000))), Bits(0x00010000));  // denormal kept
}

// The worked example of the research notes (shared/notes/tt-numerics.md, section 1.9), itself derived
// from tt-metal's host encoder.
TEST(BfpTest, WorkedExampleFromTtMetalNotes) {
  const float in[16] = {3.1f, 1.0f, 0.3f, -0.7f, 0.0f, 1e-3f, -2.5f, 1.99f,
                        0.5f, 0.25f, -0.125f, 2.0f, -3.0f, 0.1f, 1.5f, -1e-30f};
  Bfp8Block b8 = EncodeBfp8Block(in);
  EXPECT_EQ(b8.exponent, 128);
  EXPECT_EQ(b8.data[0], 0x63);
  EXPECT_EQ(b8.data[2], 0x0A);
  EXPECT_EQ(b8.data[3], 0x96);
  EXPECT_EQ(b8.data[5], 0x00);
  EXPECT_EQ(b8.data[7], 0x40);
  EXPECT_EQ(b8.data[9], 0x08);
  EXPECT_EQ(b8.data[10], 0x84);
  EXPECT_EQ(b8.data[13], 0x03);
  EXPECT_EQ(b8.data[15], 0x00);
  float out[16];
  DecodeBfp8Block(b8, out);
  EXPECT_EQ(out[0], 3.09375f);
  EXPECT_EQ(out[2], 0.3125f);
  EXPECT_EQ(out[3], -0.6875f);
  EXPECT_EQ(out[13], 0.09375f);

  Bfp4Block b4 = EncodeBfp4Block(in);
  DecodeBfp4Block(b4, out);
  EXPECT_EQ(out[0], 3.0f);
  EXPECT_EQ(out[2], 0.5f);
  EXPECT_EQ(out[3], -0.5f);
  EXPECT_EQ(out[7], 2.0f);
  EXPECT_EQ(out[9], 0.0f);  // exact tie at half a quantum goes to even (0)
  EXPECT_EQ(out[10], 0.0f);
  EXPECT_EQ(b4.data[0] & 0xf, 0x6);
  EXPECT_EQ(b4.data[1] & 0xf, 0x1);
  EXPECT_EQ(b4.data[1] >> 4, 0x9);
}

TEST(BfpTest, ZeroBlockAndSaturation) {
  float zeros[16] = {};
  Bfp8Block z = EncodeBfp8Block(zeros);
  EXPECT_EQ(z.exponent, 0);
  for (uint8_t d : z.data) EXPECT_EQ(d, 0);
  float out[16];
  DecodeBfp8Block(z, out);
  for (float v : out) EXPECT_EQ(v, 0.0f);
  // 3.99 with shared exponent 128 saturates to 127/32 = 3.96875 (notes, section 1.8).
  float sat[16] = {3.99f};
  Bfp8Block s = EncodeBfp8Block(sat);
  DecodeBfp8Block(s, out);
  EXPECT_EQ(out[0], 3.96875f);
}

TEST(BfpTest, DenormalsFlushAndNoNegativeZero) {
  float in[16] = {Bits(0x00000001), -Bits(0x00400000), -1e-30f, 1.0f};
  Bfp8Block b = EncodeBfp8Block(in);
  EXPECT_EQ(b.data[0], 0);
  EXPECT_EQ(b.data[1], 0);  // -denormal: magnitude 0 gets sign 0
  EXPECT_EQ(b.data[2], 0);
}

TEST(BfpTest, InfinityTakesTheBlockAndDecodesAsInfinity) {
  float in[16] = {std::numeric_limits<float>::infinity(), 1.0f, -2.0f};
  Bfp8Block b = EncodeBfp8Block(in);
  EXPECT_EQ(b.exponent, 255);
  EXPECT_EQ(b.data[0], 64);
  float out[16];
  DecodeBfp8Block(b, out);
  EXPECT_TRUE(std::isinf(out[0]));
  EXPECT_EQ(out[1], 0.0f);  // finite values in an Inf block vanish
}

TEST(BfpTest, ErrorIsBoundedByHalfAQuantumOfTheBlockMaximum) {
  std::mt19937 rng(7);
  std::normal_distribution<float> dist(0.0f, 1.0f);
  for (int trial = 0; trial < 200; ++trial) {
    float in[16], out8[16], out4[16];
    float max_abs = 0;
    for (float& v : in) {
      v = dist(rng);
      max_abs = std::max(max_abs, std::fabs(v));
    }
    DecodeBfp8Block(EncodeBfp8Block(in), out8);
    DecodeBfp4Block(EncodeBfp4Block(in), out4);
    int e = std::ilogb(max_abs);
    float quantum8 = std::ldexp(1.0f, e - 6), quantum4 = std::ldexp(1.0f, e - 2);
    for (int i = 0; i < 16; ++i) {
      // Truncated alignment adds at most one more quantum; saturation at most one.
      EXPECT_LE(std::fabs(out8[i] - in[i]), 1.0f * quantum8) << in[i];
      EXPECT_LE(std::fabs(out4[i] - in[i]), 1.0f * quantum4) << in[i];
    }
  }
}

TEST(ConvertTest, PartialBlocksArePaddedAndIntegersSaturate) {
  float in[20];
  for (int i = 0; i < 20; ++i) in[i] = static_cast<float>(i) - 10.0f;
  std::vector<uint8_t> packed(StorageBytes(DType::kBFP8, 20));
  EXPECT_EQ(packed.size(), 2 * sizeof(Bfp8Block));
  ConvertFromF32(in, 20, DType::kBFP8, packed.data());
  float out[20];
  ConvertToF32(packed.data(), 20, DType::kBFP8, out);
  for (int i = 0; i < 20; ++i) EXPECT_EQ(out[i], in[i]) << i;  // small integers are exact in bfp8

  float big[3] = {300.0f, -300.0f, 2.5f};
  int8_t q[3];
  ConvertFromF32(big, 3, DType::kI8, q);
  EXPECT_EQ(q[0], 127);
  EXPECT_EQ(q[1], -128);
  EXPECT_EQ(q[2], 2);  // round half to even
}

TEST(DTypeTest, NamesParse) {
  for (DType d : {DType::kF32, DType::kF16, DType::kBF16, DType::kI8, DType::kI32, DType::kBFP8, DType::kBFP4}) {
    auto parsed = ParseDType(DTypeName(d));
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(*parsed, d);
  }
  auto bad = ParseDType("fp8");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("use one of"), std::string::npos);
}

}  // namespace
}  // namespace ttt
