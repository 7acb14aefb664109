#include "core/hwconfig/hw_enums.h"

#include "absl/strings/str_cat.h"
#include "core/runtime/dtype_traits.h"

namespace ttt {

// The dtype table (core/runtime/dtype_traits.h) names each format's schema value by number, as runtime sits
// below the schema; hw_enums_test.cc holds the two to each other.

absl::StatusOr<DType> ToRuntimeDType(hw::DType dtype) {
  if (const DTypeTraits* t = FindHwDType(dtype)) return t->dtype;
  return absl::InvalidArgumentError(absl::StrCat("number format ", hw::DType_Name(dtype), " is not set"));
}

hw::DType ToHwDType(DType dtype) { return static_cast<hw::DType>(Traits(dtype).hw_value); }

double BytesPerValue(hw::DType dtype) {
  const DTypeTraits* t = FindHwDType(dtype);
  return t ? t->bytes_per_value : 0;
}

ops::MathFidelity ToRuntimeFidelity(hw::MathFidelity fidelity) {
  switch (fidelity) {
    case hw::LOFI: return ops::MathFidelity::kLoFi;
    case hw::HIFI2: return ops::MathFidelity::kHiFi2;
    case hw::HIFI3: return ops::MathFidelity::kHiFi3;
    default: return ops::MathFidelity::kHiFi4;
  }
}

hw::MathFidelity ToHwFidelity(ops::MathFidelity fidelity) {
  switch (fidelity) {
    case ops::MathFidelity::kLoFi: return hw::LOFI;
    case ops::MathFidelity::kHiFi2: return hw::HIFI2;
    case ops::MathFidelity::kHiFi3: return hw::HIFI3;
    case ops::MathFidelity::kHiFi4: return hw::HIFI4;
  }
  return hw::HIFI4;
}

}  // namespace ttt
