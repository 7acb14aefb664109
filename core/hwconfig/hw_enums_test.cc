// The dtype table (core/runtime/dtype_traits.h) against the hardware-config schema it names by number.
#include "core/hwconfig/hw_enums.h"

#include <gtest/gtest.h>

#include "absl/strings/ascii.h"
#include "core/runtime/dtype_traits.h"

namespace ttt {
namespace {

TEST(HwDTypeTest, TableMatchesTheSchemaBothWays) {
  for (const DTypeTraits& t : AllDTypeTraits()) {
    if (t.hw_value == 0) continue;  // i32 has no schema value
    ASSERT_TRUE(hw::DType_IsValid(t.hw_value)) << t.name;
    EXPECT_EQ(hw::DType_Name(static_cast<hw::DType>(t.hw_value)), absl::AsciiStrToUpper(t.flag_name)) << t.name;
    EXPECT_EQ(*ToRuntimeDType(ToHwDType(t.dtype)), t.dtype);
    EXPECT_EQ(BytesPerValue(ToHwDType(t.dtype)), t.bytes_per_value);
  }
  for (int v = hw::DType_MIN; v <= hw::DType_MAX; ++v) {
    if (v == hw::DTYPE_UNSPECIFIED || !hw::DType_IsValid(v)) continue;
    EXPECT_NE(FindHwDType(v), nullptr) << hw::DType_Name(static_cast<hw::DType>(v)) << " is missing from the table";
  }
  EXPECT_FALSE(ToRuntimeDType(hw::DTYPE_UNSPECIFIED).ok());
  EXPECT_EQ(BytesPerValue(hw::DTYPE_UNSPECIFIED), 0);
}

TEST(HwDTypeTest, RolesAndSpellingsComeFromTheTable) {
  EXPECT_EQ(DTypesWithRole(kWeightRole), "f32, bf16, int8, bfp8 or bfp4");
  EXPECT_EQ(DTypesWithRole(kKvCacheRole), "f32, bf16 or bfp8");
  EXPECT_EQ(*ParseDTypeForRole("INT8", kWeightRole, "--weights"), DType::kI8);
  EXPECT_EQ(*ParseDTypeForRole("bfloat16", kKvCacheRole, "--kv-cache"), DType::kBF16);
  EXPECT_EQ(ParseDTypeForRole("bfp4", kKvCacheRole, "--kv-cache").status().message(),
            "--kv-cache bfp4: use f32, bf16 or bfp8");
  EXPECT_EQ(StorageBytes(DType::kBFP8, 17), 34u);  // rounded up to whole blocks
  EXPECT_EQ(StorageBytes(DType::kBFP4, 16), 9u);
  EXPECT_EQ(ElementSize(DType::kBF16), 2u);
}

TEST(HwEnumsTest, FidelityConvertsBothWaysAndUnsetIsHiFi4) {
  for (ops::MathFidelity f : {ops::MathFidelity::kLoFi, ops::MathFidelity::kHiFi2, ops::MathFidelity::kHiFi3,
                              ops::MathFidelity::kHiFi4}) {
    EXPECT_EQ(ToRuntimeFidelity(ToHwFidelity(f)), f);
  }
  EXPECT_EQ(ToRuntimeFidelity(hw::MATH_FIDELITY_UNSPECIFIED), ops::MathFidelity::kHiFi4);
  EXPECT_EQ(ToHwFidelity(ops::MathFidelity::kLoFi), hw::LOFI);
}

}  // namespace
}  // namespace ttt
