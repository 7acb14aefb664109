// The hardware-config edge: the one place the schema's enums (hw::DType, hw::MathFidelity) become the
// library's own types (ttt::DType, ops::MathFidelity) and back. Code below hwconfig never sees the Protobuf
// enums; code above converts through here.
#pragma once

#include "absl/status/statusor.h"
#include "core/hwconfig/proto/numerics.pb.h"
#include "core/ops/tt_numerics.h"
#include "core/runtime/dtype.h"

namespace ttt {

absl::StatusOr<DType> ToRuntimeDType(hw::DType dtype);  // DTYPE_UNSPECIFIED is an error
hw::DType ToHwDType(DType dtype);                       // kI32 -> DTYPE_UNSPECIFIED
// Bytes one value takes in memory: F32 4, BF16/F16 2, INT8 1, BFP8 17/16, BFP4 9/16 (shared exponents
// included, notes §1.1); 0 for DTYPE_UNSPECIFIED.
double BytesPerValue(hw::DType dtype);

// MATH_FIDELITY_UNSPECIFIED -> HiFi4, the device's natural (ttnn's default) fidelity.
ops::MathFidelity ToRuntimeFidelity(hw::MathFidelity fidelity);
hw::MathFidelity ToHwFidelity(ops::MathFidelity fidelity);

}  // namespace ttt
