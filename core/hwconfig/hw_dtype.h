// Conversions between the config schema's number formats (hw::DType) and the runtime's (ttt::DType), and
// their storage cost.
#pragma once

#include "absl/status/statusor.h"
#include "core/hwconfig/proto/numerics.pb.h"
#include "core/runtime/dtype.h"

namespace ttt {

absl::StatusOr<DType> ToRuntimeDType(hw::DType dtype);  // DTYPE_UNSPECIFIED is an error
hw::DType ToHwDType(DType dtype);                       // kI32 -> DTYPE_UNSPECIFIED
// Bytes one value takes in memory: F32 4, BF16/F16 2, INT8 1, BFP8 17/16, BFP4 9/16 (shared exponents
// included, notes §1.1); 0 for DTYPE_UNSPECIFIED.
double BytesPerValue(hw::DType dtype);

}  // namespace ttt
