#include "core/runtime/dtype_traits.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "core/runtime/check.h"

namespace ttt {

const std::vector<DTypeTraits>& AllDTypeTraits() {
  // Block floats: 16 values share one exponent byte (Tenstorrent bfloat8_b / bfloat4_b, notes §1.1).
  static const std::vector<DTypeTraits> table = {
      {DType::kF32, "f32", "f32", "fp32 float32", 1, 4, 1, kWeightRole | kKvCacheRole},
      {DType::kF16, "f16", "f16", "fp16 float16", 6, 2, 1, 0},
      {DType::kBF16, "bf16", "bf16", "bfloat16", 2, 2, 1, kWeightRole | kKvCacheRole},
      {DType::kI8, "i8", "int8", "", 5, 1, 1, kWeightRole},
      {DType::kI32, "i32", "i32", "int32", 0, 4, 1, 0},
      {DType::kBFP8, "bfp8", "bfp8", "bfloat8_b", 3, 17.0 / 16, kBfpBlockSize, kWeightRole | kKvCacheRole},
      {DType::kBFP4, "bfp4", "bfp4", "bfloat4_b", 4, 9.0 / 16, kBfpBlockSize, kWeightRole},
      // ggml's blocks (core/runtime/dtype_ggml.h): bytes per block / values per block. No roles: a GGUF file
      // brings them, nothing converts to them.
      {DType::kQ8_0, "q8_0", "q8_0", "", 0, 34.0 / 32, 32, 0},
      {DType::kQ4_0, "q4_0", "q4_0", "", 0, 18.0 / 32, 32, 0},
      {DType::kQ5_0, "q5_0", "q5_0", "", 0, 22.0 / 32, 32, 0},
      {DType::kIQ4_NL, "iq4_nl", "iq4_nl", "", 0, 18.0 / 32, 32, 0},
      {DType::kQ4_K, "q4_k", "q4_k", "", 0, 144.0 / 256, 256, 0},
      {DType::kQ5_K, "q5_k", "q5_k", "", 0, 176.0 / 256, 256, 0},
      {DType::kQ6_K, "q6_k", "q6_k", "", 0, 210.0 / 256, 256, 0},
  };
  return table;
}

const DTypeTraits& Traits(DType dtype) {
  const auto& table = AllDTypeTraits();
  const size_t i = static_cast<size_t>(dtype);
  TTT_CHECK(i < table.size() && table[i].dtype == dtype) << "dtype table out of order at " << i;
  return table[i];
}

const DTypeTraits* FindDType(absl::string_view name) {
  const std::string lower = absl::AsciiStrToLower(name);
  for (const DTypeTraits& t : AllDTypeTraits()) {
    if (lower == t.name || lower == t.flag_name) return &t;
    for (absl::string_view alias : absl::StrSplit(t.aliases, ' ', absl::SkipEmpty())) {
      if (lower == alias) return &t;
    }
  }
  return nullptr;
}

const DTypeTraits* FindHwDType(int hw_value) {
  if (hw_value == 0) return nullptr;
  for (const DTypeTraits& t : AllDTypeTraits()) {
    if (t.hw_value == hw_value) return &t;
  }
  return nullptr;
}

std::string DTypesWithRole(DTypeRole role) {
  std::vector<absl::string_view> names;
  for (const DTypeTraits& t : AllDTypeTraits()) {
    if (t.roles & role) names.push_back(t.flag_name);
  }
  std::string out;
  for (size_t i = 0; i < names.size(); ++i) {
    absl::StrAppend(&out, i == 0 ? "" : (i + 1 == names.size() ? " or " : ", "), names[i]);
  }
  return out;
}

absl::StatusOr<DType> ParseDTypeForRole(absl::string_view name, DTypeRole role, absl::string_view what) {
  const DTypeTraits* t = FindDType(name);
  if (t == nullptr || !(t->roles & role)) {
    return absl::InvalidArgumentError(absl::StrCat(what, " ", name, ": use ", DTypesWithRole(role)));
  }
  return t->dtype;
}

}  // namespace ttt
