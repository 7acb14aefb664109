#include "core/hwconfig/hw_dtype.h"

#include "absl/strings/str_cat.h"

namespace ttt {

absl::StatusOr<DType> ToRuntimeDType(hw::DType dtype) {
  switch (dtype) {
    case hw::F32: return DType::kF32;
    case hw::BF16: return DType::kBF16;
    case hw::F16: return DType::kF16;
    case hw::INT8: return DType::kI8;
    case hw::BFP8: return DType::kBFP8;
    case hw::BFP4: return DType::kBFP4;
    default: return absl::InvalidArgumentError(absl::StrCat("number format ", hw::DType_Name(dtype), " is not set"));
  }
}

hw::DType ToHwDType(DType dtype) {
  switch (dtype) {
    case DType::kF32: return hw::F32;
    case DType::kBF16: return hw::BF16;
    case DType::kF16: return hw::F16;
    case DType::kI8: return hw::INT8;
    case DType::kBFP8: return hw::BFP8;
    case DType::kBFP4: return hw::BFP4;
    default: return hw::DTYPE_UNSPECIFIED;
  }
}

double BytesPerValue(hw::DType dtype) {
  switch (dtype) {
    case hw::F32: return 4;
    case hw::BF16: case hw::F16: return 2;
    case hw::INT8: return 1;
    case hw::BFP8: return 17.0 / 16;
    case hw::BFP4: return 9.0 / 16;
    default: return 0;
  }
}

}  // namespace ttt
