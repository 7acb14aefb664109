// One table of what each element type is (as ggml's type_traits): its names, its value in the hardware
// config schema (ttt.hw.DType, core/hwconfig/proto/numerics.proto), its storage cost and block geometry, and
// the roles a CPU model may give it. Every name, parser and byte count of a dtype reads this table.
#pragma once

#include <cstdint>
#include <string>
#include "absl/strings/string_view.h"
#include <vector>

#include "absl/status/statusor.h"
#include "core/runtime/dtype.h"

namespace ttt {

enum DTypeRole : uint8_t {
  kWeightRole = 1,   // a linear op's weight (--weights)
  kKvCacheRole = 2,  // the KV cache (--kv-cache)
};

struct DTypeTraits {
  DType dtype;
  absl::string_view name;       // "i8": DTypeName, file formats, messages
  absl::string_view flag_name;  // how flags and their help spell it ("int8")
  absl::string_view aliases;    // further accepted spellings, space-separated ("int8 fp32")
  int hw_value;                // its ttt.hw.DType value, 0 when the schema has none (checked in hw_enums_test.cc)
  double bytes_per_value;      // storage per value, shared exponents included (bfp8 17/16)
  int block_size;              // values sharing one exponent (16 for block floats), else 1
  uint8_t roles;               // DTypeRole bits
};

// Every dtype, in DType order.
const std::vector<DTypeTraits>& AllDTypeTraits();
const DTypeTraits& Traits(DType dtype);
// By name, flag name or alias, case-insensitively; null when unknown.
const DTypeTraits* FindDType(absl::string_view name);
// By ttt.hw.DType value; null for DTYPE_UNSPECIFIED and unknown values.
const DTypeTraits* FindHwDType(int hw_value);
// The dtypes with `role`, by flag name: "f32, bf16, int8, bfp8 or bfp4".
std::string DTypesWithRole(DTypeRole role);
// Parses a dtype that may take `role`; the error names `what` ("--weights") and the choices.
absl::StatusOr<DType> ParseDTypeForRole(absl::string_view name, DTypeRole role, absl::string_view what);

}  // namespace ttt
