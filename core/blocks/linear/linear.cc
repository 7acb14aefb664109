#include "core/blocks/linear/linear.h"

#include <cstring>

#include "absl/strings/str_cat.h"
#include "core/kernels/internal/bfp4_steps.h"
#include "core/kernels/kernel_table.h"
#include "core/ops/weight_quantization.h"
#include "core/runtime/check.h"
#include "core/runtime/status.h"

namespace ttt {

absl::StatusOr<Linear> Linear::Load(const WeightMap& weights, const std::string& name, int64_t out_features,
                                    int64_t in_features, bool has_bias) {
  TTT_ASSIGN_OR_RETURN(Tensor w, RequireWeight(weights, name, {out_features, in_features},
                                               /*keep_ggml_blocks=*/true));
  TTT_ASSIGN_OR_RETURN(Tensor b, OptionalWeight(weights, absl::StrCat(name, ".bias"), {out_features}, has_bias));
  return Linear(std::move(w), std::move(b));
}

absl::Status Linear::ConvertWeight(DType dtype) {
  const LinearExecution cpu{.weight_dtype = dtype, .emulate_tt = false, .numerics = {}};
  return Specialize(cpu, cpu);
}

namespace {
// `w` with row-major values (a panel-packed weight unpacked into a new tensor of its dtype; others as they are).
ops::LinearWeight RowMajor(const ops::LinearWeight& w) {
  if (!w.panels) return w;
  ops::LinearWeight rows;
  rows.values = ops::RowMajorValues(w);
  return rows;
}
}  // namespace

absl::StatusOr<ops::LinearWeight> Linear::Converted(DType dtype, Phase phase, const WeightSource& source) const {
  // A GGUF file's quantised blocks run as they are in both phases, whatever format the config names:
  // re-quantising them would give other weights than the file's (and than llama.cpp runs).
  if (dtype == weight_dtype() || IsGgmlFormat(weight_dtype())) return weight_;
  if (prefill_weight_ && prefill_weight_->values.dtype() == dtype) return *prefill_weight_;
  const ops::LinearWeight from = RowMajor(weight_);
  auto convert = [&]() -> absl::StatusOr<ops::LinearWeight> {
    const Tensor f32 = from.values.dtype() == DType::kF32 ? from.values : ops::DequantizeWeight(from);
    return ops::QuantizeWeight(f32, dtype);
  };
  if (source) return source(phase, dtype, convert);
  return convert();
}

absl::Status Linear::Specialize(const LinearExecution& prefill, const LinearExecution& decode,
                                const WeightSource& source) {
  TTT_ASSIGN_OR_RETURN(ops::LinearWeight decode_weight, Converted(decode.weight_dtype, Phase::kDecode, source));
  if (IsGgmlFormat(weight_dtype()) && (prefill.emulate_tt || decode.emulate_tt)) {
    return absl::UnimplementedError(absl::StrCat(
        "Linear: ", DTypeName(weight_dtype()), " weights (from a quantised GGUF file) run on the cpu device only; "
        "the emulated Tenstorrent matmul takes f32, bf16, bfp8 or bfp4: load an F32/F16/BF16 GGUF instead"));
  }
  std::optional<ops::LinearWeight> prefill_weight;
  if (prefill.weight_dtype != decode.weight_dtype && !IsGgmlFormat(weight_dtype())) {
    TTT_ASSIGN_OR_RETURN(prefill_weight, Converted(prefill.weight_dtype, Phase::kPrefill, source));
  }
  // Panels serve the CPU kernels only (ops::Linear); the emulated Tenstorrent matmul reads rows.
  if (decode.emulate_tt || (prefill.emulate_tt && !prefill_weight)) decode_weight = RowMajor(decode_weight);
  weight_ = std::move(decode_weight);
  prefill_weight_ = std::move(prefill_weight);
  exec_[static_cast<int>(Phase::kPrefill)] = prefill;
  exec_[static_cast<int>(Phase::kDecode)] = decode;
  if (IsGgmlFormat(weight_dtype())) {  // what runs, not what was asked for
    exec_[static_cast<int>(Phase::kPrefill)].weight_dtype = weight_dtype();
    exec_[static_cast<int>(Phase::kDecode)].weight_dtype = weight_dtype();
  }
  return absl::OkStatus();
}

bool Linear::CanUsePanels() const {
  const bool shared_with_prefill = !prefill_weight_;
  const Tensor& values = weight_.values;
  // bf16: whole pairs, and a kernel for them (AVX512-BF16); bfp4: a kernel for its step layout (AVX2).
  const bool format = values.dtype() == DType::kF32 ||
                      (values.dtype() == DType::kBF16 && values.rank() == 2 && values.dim(1) % 2 == 0 &&
                       kernels::ActiveKernels().gemv_bf16_panels != nullptr) ||
                      (values.dtype() == DType::kBFP4 && kernels::ActiveKernels().gemv_bfp4_steps != nullptr);
  return format && values.rank() == 2 && weight_.more_rows.empty() &&
         !exec_[static_cast<int>(Phase::kDecode)].emulate_tt &&
         !(shared_with_prefill && exec_[static_cast<int>(Phase::kPrefill)].emulate_tt);
}

void Linear::MoveDecodeValues(Tensor destination, bool panels) {
  const Tensor& values = weight_.values;
  TTT_CHECK(destination.dtype() == values.dtype() && destination.shape() == values.shape() &&
            destination.nbytes() == values.nbytes() && values.is_contiguous())
      << "Linear::MoveDecodeValues: " << destination.DebugString() << " cannot hold " << values.DebugString();
  if (panels && !weight_.panels) {
    TTT_CHECK(CanUsePanels()) << "Linear::MoveDecodeValues: " << values.DebugString() << " cannot be panels";
    if (values.dtype() == DType::kBFP4) {
      kernels::internal::PackBfp4StepRows(values.raw_data(), values.dim(0),
                                          static_cast<int64_t>(StorageBytes(DType::kBFP4, values.dim(1))),
                                          destination.raw_data());
    } else {
      const bool f32 = values.dtype() == DType::kF32;
      // Rows of 32-bit words: k floats, or k / 2 pairs of bf16 values.
      kernels::ActiveKernels().pack_panels(values.raw_data(), values.dim(0), f32 ? values.dim(1) : values.dim(1) / 2,
                                           destination.raw_data());
    }
    weight_.panels = true;
  } else {
    std::memcpy(destination.raw_data(), values.raw_data(), values.nbytes());
  }
  weight_.values = std::move(destination);
}

namespace {
int64_t Bytes(const ops::LinearWeight& w) {
  size_t bytes = w.values.nbytes() + (w.row_scale.defined() ? w.row_scale.nbytes() : 0);
  for (const Tensor& part : w.more_rows) bytes += part.nbytes();
  return static_cast<int64_t>(bytes);
}
}  // namespace

int64_t Linear::weight_bytes() const { return Bytes(weight_); }

int64_t Linear::resident_weight_bytes() const {
  return Bytes(weight_) + (prefill_weight_ ? Bytes(*prefill_weight_) : 0);
}

void Linear::Forward(const float* x, int64_t m, float* y, Phase phase) const {
  const LinearExecution& exec = exec_[static_cast<int>(phase)];
  const float* bias = bias_.defined() ? bias_.data<float>() : nullptr;
  if (exec.emulate_tt) {
    ops::TtLinear(x, m, weight(phase), bias, y, exec.numerics);
  } else {
    // The successor's weight is read at each call: ApplyHwConfig may have re-stored it since.
    const Linear* next = phase == Phase::kDecode ? decode_successor_ : nullptr;
    const bool next_on_cpu = next != nullptr && !next->execution(Phase::kDecode).emulate_tt;
    ops::Linear(x, m, weight(phase), bias, y, next_on_cpu ? &next->weight(Phase::kDecode).values : nullptr);
  }
}

}  // namespace ttt
