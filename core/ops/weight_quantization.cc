#include "core/ops/weight_quantization.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/kernels/internal/bf16_panels.h"
#include "core/kernels/internal/bfp4_steps.h"
#include "core/kernels/internal/f32_panels.h"

namespace ttt::ops {

absl::StatusOr<LinearWeight> QuantizeWeight(const Tensor& weight, DType dtype) {
  if (!weight.defined() || weight.rank() != 2) {
    return absl::InvalidArgumentError(absl::StrCat(
        "QuantizeWeight: expected a 2-D weight [n, k], got ",
        weight.defined() ? weight.DebugString() : std::string("an undefined tensor"),
        "; pass the Linear weight before any reshape"));
  }
  if (dtype != DType::kF32 && dtype != DType::kBF16 && dtype != DType::kI8 && dtype != DType::kBFP8 &&
      dtype != DType::kBFP4) {
    return absl::InvalidArgumentError(absl::StrCat("QuantizeWeight: no Linear kernels for ", DTypeName(dtype),
                                                   " weights (weight ", weight.DebugString(),
                                                   "); use f32, bf16, i8, bfp8 or bfp4"));
  }
  const int64_t n = weight.dim(0), k = weight.dim(1);
  const Tensor f32 = weight.dtype() == DType::kF32 ? weight.Contiguous() : weight.To(DType::kF32);
  const float* src = f32.data<float>();
  for (int64_t i = 0; i < n * k; ++i) {
    if (!std::isfinite(src[i])) {
      return absl::InvalidArgumentError(absl::StrCat(
          "QuantizeWeight: weight ", weight.DebugString(), " has a non-finite value (", src[i], ") at row ",
          i / k, ", column ", i % k, "; the checkpoint is corrupt or was saved after a diverged step"));
    }
  }

  LinearWeight out;
  out.values = Tensor::Empty(dtype, {n, k});
  char* dst = out.values.data<char>();
  const size_t row_bytes = StorageBytes(dtype, k);
  if (dtype != DType::kI8) {
    for (int64_t j = 0; j < n; ++j) ConvertFromF32(src + j * k, k, dtype, dst + j * row_bytes);
    return out;
  }
  out.row_scale = Tensor::Empty(DType::kF32, {n});
  float* scales = out.row_scale.data<float>();
  for (int64_t j = 0; j < n; ++j) {
    const float* row = src + j * k;
    float absmax = 0;
    for (int64_t i = 0; i < k; ++i) absmax = std::max(absmax, std::fabs(row[i]));
    const float scale = absmax / 127.0f;
    scales[j] = scale;
    int8_t* q = reinterpret_cast<int8_t*>(dst + j * row_bytes);
    for (int64_t i = 0; i < k; ++i) {
      // Dividing (not multiplying by 1/scale) keeps the row's extreme values at exactly +-127.
      const float r = scale > 0 ? std::nearbyint(row[i] / scale) : 0.0f;
      q[i] = static_cast<int8_t>(std::clamp(r, -127.0f, 127.0f));
    }
  }
  return out;
}

Tensor RowMajorValues(const LinearWeight& weight) {
  if (!weight.panels) return weight.values;
  const int64_t n = weight.values.dim(0), k = weight.values.dim(1);
  Tensor rows = Tensor::Empty(weight.values.dtype(), {n, k});
  if (weight.values.dtype() == DType::kF32) {  // kernel_table.h GemvF32PanelsFn
    kernels::internal::UnpackF32Panels(weight.values.data<float>(), n, k, 0, n, rows.data<float>());
  } else if (weight.values.dtype() == DType::kBFP4) {  // the step layout, row by row (internal/bfp4_steps.h)
    kernels::internal::UnpackBfp4StepRows(weight.values.raw_data(), n,
                                          static_cast<int64_t>(StorageBytes(DType::kBFP4, k)), rows.raw_data());
  } else {  // bf16 pair panels (internal/bf16_panels.h)
    kernels::internal::UnpackBf16Panels(weight.values.data<uint16_t>(), n, k, 0, n, rows.data<uint16_t>());
  }
  return rows;
}

Tensor DequantizeWeight(const LinearWeight& weight) {
  if (weight.panels) {
    const Tensor rows = RowMajorValues(weight);
    return rows.dtype() == DType::kF32 ? rows : Tensor::FromF32(rows.shape(), rows.ToF32());
  }
  if (!weight.more_rows.empty()) {  // a stacked GGUF projection: every part's values, in order
    std::vector<float> values = weight.values.ToF32();
    for (const Tensor& part : weight.more_rows) {
      const std::vector<float> more = part.ToF32();
      values.insert(values.end(), more.begin(), more.end());
    }
    return Tensor::FromF32({weight.out_features(), weight.values.dim(1)}, values);
  }
  const int64_t n = weight.values.dim(0), k = weight.values.dim(1);
  const size_t row_bytes = StorageBytes(weight.values.dtype(), k);
  std::vector<float> values(static_cast<size_t>(n * k));
  const char* src = weight.values.data<char>();
  for (int64_t j = 0; j < n; ++j) {
    float* row = values.data() + j * k;
    ConvertToF32(src + j * row_bytes, k, weight.values.dtype(), row);
    if (weight.values.dtype() == DType::kI8) {
      const float scale = weight.row_scale.data<float>()[j];
      for (int64_t i = 0; i < k; ++i) row[i] *= scale;
    }
  }
  return Tensor::FromF32({n, k}, values);
}

}  // namespace ttt::ops
