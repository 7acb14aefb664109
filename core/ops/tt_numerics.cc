// Emulated Tenstorrent matmul (tt_numerics.h). The recipe is ../shared/notes/tt-numerics.md §2.7:
//   1. unpack: activations rounded to their dtype (bf16 RNE, bfp8/bfp4 through the host block-float encoder
//      along K, f32 -> TF32 by truncation §2.1); the weight's stored values are the SrcA values (§2.2: weights
//      in1 -> SrcA, the 5-bit multiplier side; activations in0 -> SrcB, the 7-bit side);
//   2. per fidelity phase, operand parts masked exactly as §2.3, each phase a separate MVMUL accumulating sums
//      of 16 products into Dst, which is rounded to BF16 after every accumulation unless fp32_accumulation
//      (§2.5);
//   3. pack to the output dtype (bf16: RNE; bfp8/bfp4: the device packer of §1.6).
// The inner loops are the kernel table's tt_panel / tt_row (core/kernels/kernel_table.h); this file prepares
// their operands.
#include "core/ops/tt_numerics.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "core/kernels/kernel_table.h"
#include "core/ops/internal/parallel.h"
#include "core/kernels/internal/tt_fidelity.h"
#include "core/ops/internal/tt_pack.h"
#include "core/runtime/check.h"
#include "core/runtime/threading.h"

namespace ttt::ops {
namespace {

using kernels::tt::TruncTf32;

constexpr int64_t kTileK = 32;  // K is padded with zeros to whole tiles (§3: TILE layout pads with 0)
constexpr int64_t kPanel = kernels::kTtPanelRows;  // weight rows per panel kernel call
constexpr int64_t kRowKernelMaxM = 4;  // below this many activation rows, the row kernel (no interleaving)

int64_t PadK(int64_t k) { return (k + kTileK - 1) / kTileK * kTileK; }

// One row of activation values as the unpacker delivers them to a Src register: rounded to the activation
// dtype (bfp: blocks of 16 along K, the host encoder §1.4, decoded losslessly §1.7), then TF32 (§2.1), padded
// with zeros to kp.
void UnpackActivationRow(const float* x, int64_t k, int64_t kp, DType dtype, float* out) {
  switch (dtype) {
    case DType::kF32:
      for (int64_t i = 0; i < k; ++i) out[i] = TruncTf32(x[i]);  // §2.1 FP32 -> TF32 truncation
      break;
    case DType::kBF16:
      for (int64_t i = 0; i < k; ++i) out[i] = BF16ToF32(F32ToBF16(x[i]));
      break;
    case DType::kF16:  // §2.1: FP16 (e5m10) is a Src format of its own
      for (int64_t i = 0; i < k; ++i) out[i] = F16ToF32(F32ToF16(x[i]));
      break;
    case DType::kBFP8:
    case DType::kBFP4: {
      float block[kBfpBlockSize];
      for (int64_t b = 0; b < k; b += kBfpBlockSize) {
        const int64_t len = std::min<int64_t>(kBfpBlockSize, k - b);
        std::fill(block, block + kBfpBlockSize, 0.0f);
        std::copy(x + b, x + b + len, block);
        if (dtype == DType::kBFP8) {
          DecodeBfp8Block(EncodeBfp8Block(block), block);
        } else {
          DecodeBfp4Block(EncodeBfp4Block(block), block);
        }
        std::copy(block, block + len, out + b);
      }
      break;
    }
    default:
      TTT_CHECK(false) << "TtMatmulNumerics.activation_dtype " << DTypeName(dtype)
                       << " is not a Src format (use f32, bf16, f16, bfp8 or bfp4)";
  }
  std::fill(out + k, out + kp, 0.0f);
}

// Source of the SrcA rows: row j (0 <= j < n) as kp f32 values, already rounded to what the device holds.
class SrcARows {
 public:
  virtual ~SrcARows() = default;
  virtual void Row(int64_t j, float* out) const = 0;
};

// A LinearWeight's stored values (bf16 and bfp are exact in a Src register, §1.7; f32 and i8-times-scale
// are truncated to TF32, §2.1).
class WeightRows : public SrcARows {
 public:
  WeightRows(const LinearWeight& w, int64_t kp) : w_(w), kp_(kp) {
    TTT_CHECK(w.values.rank() == 2 && w.values.is_contiguous()) << "TtLinear: weight must be a contiguous [n, k]";
    k_ = w.values.shape()[1];
    row_bytes_ = StorageBytes(w.values.dtype(), k_);
    if (w.values.dtype() == DType::kI8) {
      TTT_CHECK(w.row_scale.dtype() == DType::kF32 && w.row_scale.numel() == w.values.shape()[0])
          << "TtLinear: i8 weight needs an f32 row_scale of n values";
    }
  }
  void Row(int64_t j, float* out) const override {
    const char* src = static_cast<const char*>(w_.values.raw_data()) + j * row_bytes_;
    ConvertToF32(src, k_, w_.values.dtype(), out);
    const float scale = w_.values.dtype() == DType::kI8 ? w_.row_scale.data<float>()[j] : 1.0f;
    for (int64_t i = 0; i < k_; ++i) out[i] = TruncTf32(out[i] * scale);
    std::fill(out + k_, out + kp_, 0.0f);
  }

 private:
  const LinearWeight& w_;
  int64_t kp_, k_;
  size_t row_bytes_;
};

// An f32 matrix that is itself an activation (attention's second operand): rounded like the first.
class ActivationRows : public SrcARows {
 public:
  ActivationRows(const float* b, int64_t k, int64_t kp, DType dtype) : b_(b), k_(k), kp_(kp), dtype_(dtype) {}
  void Row(int64_t j, float* out) const override { UnpackActivationRow(b_ + j * k_, k_, kp_, dtype_, out); }

 private:
  const float* b_;
  int64_t k_, kp_;
  DType dtype_;
};

void RunRows(const std::vector<float>& b_hi, const std::vector<float>& b_lo, int64_t m, int64_t kp,
             const SrcARows& a_rows, int64_t n, int phases, const TtMatmulNumerics& nm, float* y);
void RunPanels(const std::vector<float>& b_hi, const std::vector<float>& b_lo, int64_t m, int64_t kp,
               const SrcARows& a_rows, int64_t n, int phases, const TtMatmulNumerics& nm, float* y);

// y[m, n] (row stride n) = Dst after the whole K loop, + bias, packed to the output dtype.
void RunTtMatmul(const float* x, int64_t m, int64_t k, const SrcARows& a_rows, int64_t n, const float* bias,
                 float* y, const TtMatmulNumerics& nm) {
  if (m <= 0 || n <= 0) return;
  const int64_t kp = PadK(k);
  const int phases = static_cast<int>(nm.fidelity);
  TTT_CHECK(phases >= 1 && phases <= 4) << "TtMatmulNumerics.fidelity " << phases;
  const bool need_b_lo = phases >= 3;  // §2.3: phases 2 and 3 use the SrcB lo part (1 and 3 the SrcA lo)

  // SrcB (activation) parts for every row: [m, kp] hi and lo. Buffers of the calling thread, reused across
  // calls (resize keeps their capacity) rather than allocated per op.
  thread_local std::vector<float> b_hi, b_lo, row;
  b_hi.resize(m * kp);
  b_lo.resize(need_b_lo ? m * kp : 0);
  row.resize(kp);
  for (int64_t i = 0; i < m; ++i) {
    UnpackActivationRow(x + i * k, k, kp, nm.activation_dtype, row.data());
    for (int64_t t = 0; t < kp; ++t) {
      b_hi[i * kp + t] = kernels::tt::SrcBHi(row[t]);
      if (need_b_lo) b_lo[i * kp + t] = kernels::tt::SrcBLo(row[t]);
    }
  }

  if (m < kRowKernelMaxM) {
    RunRows(b_hi, b_lo, m, kp, a_rows, n, phases, nm, y);
  } else {
    RunPanels(b_hi, b_lo, m, kp, a_rows, n, phases, nm, y);
  }
  for (int64_t i = 0; i < m; ++i) {
    for (int64_t j = 0; bias != nullptr && j < n; ++j) {
      // The bias is added to Dst (a fused eltwise add); a 16-bit Dst rounds that accumulation too (§2.5).
      float& v = y[i * n + j];
      v += bias[j];
      if (!nm.fp32_accumulation) v = kernels::tt::RoundBf16(v);
    }
    tt_internal::PackOutputRow(y + i * n, n, nm.output_dtype);
  }
}

// Few activation rows (decode): each weight row is split into its hi / lo parts in place (contiguous, cheap)
// and dotted with every activation row by the row kernel.
void RunRows(const std::vector<float>& b_hi, const std::vector<float>& b_lo, int64_t m, int64_t kp,
             const SrcARows& a_rows, int64_t n, int phases, const TtMatmulNumerics& nm, float* y) {
  const bool need_a_lo = phases >= 2, need_b_lo = phases >= 3;
  const kernels::TtRowFn kernel = kernels::ActiveKernels().tt_row;
  internal::ParallelRanges(n, 2 * m * n * kp * phases, 64, [&](int64_t begin, int64_t end) {
    thread_local std::vector<float> a_hi, a_lo;  // reused, as b_hi and b_lo
    a_hi.resize(kp);
    a_lo.resize(kp);
    for (int64_t j = begin; j < end; ++j) {
      a_rows.Row(j, a_hi.data());
      if (need_a_lo) {
        for (int64_t t = 0; t < kp; ++t) a_lo[t] = kernels::tt::SrcALo(a_hi[t]);
      }
      for (int64_t t = 0; t < kp; ++t) a_hi[t] = kernels::tt::SrcAHi(a_hi[t]);
      const float* a_part[2] = {a_hi.data(), a_lo.data()};
      for (int64_t i = 0; i < m; ++i) {
        const float* b_part[2] = {b_hi.data() + i * kp, need_b_lo ? b_lo.data() + i * kp : nullptr};
        y[i * n + j] = kernel(b_part, a_part, kp, phases, nm.fp32_accumulation);
      }
    }
  });
}

// Many activation rows (prefill): panels of 16 weight rows interleaved so the kernel keeps 16 Dst values in
// one vector; the interleaving is paid once per panel for all rows.
void RunPanels(const std::vector<float>& b_hi, const std::vector<float>& b_lo, int64_t m, int64_t kp,
               const SrcARows& a_rows, int64_t n, int phases, const TtMatmulNumerics& nm, float* y) {
  const bool need_a_lo = phases >= 2, need_b_lo = phases >= 3;
  const kernels::TtPanelFn kernel = kernels::ActiveKernels().tt_panel;
  const int64_t panels = (n + kPanel - 1) / kPanel;
  // Each thread builds one panel of 16 SrcA rows at a time (2 x kp x 16 floats, cache-resident) and runs every
  // activation row against it, so no copy of the whole weight is ever made. ParallelItems runs on the team a
  // caller holds (ttt serve's scheduler holds one for its whole loop) or on a new OpenMP region.
  const int threads = std::max<int>(1, std::min<int64_t>(NumThreads(), panels));
  struct Scratch {
    std::vector<float> row, a_hi, a_lo;
  };
  std::vector<Scratch> scratch(threads);
  for (Scratch& s : scratch) {
    s.row.resize(kp);
    s.a_hi.resize(kp * kPanel);
    s.a_lo.resize(need_a_lo ? kp * kPanel : 0);
  }
  internal::ParallelItems(panels, threads, 4, [&](int64_t q, int thread) {
    Scratch& s = scratch[thread];
    float out[kPanel];
    const int64_t j0 = q * kPanel, rows = std::min<int64_t>(kPanel, n - j0);
    for (int64_t r = 0; r < kPanel; ++r) {
      if (r < rows) {
        a_rows.Row(j0 + r, s.row.data());
      } else {
        std::fill(s.row.begin(), s.row.end(), 0.0f);
      }
      for (int64_t t = 0; t < kp; ++t) {
        s.a_hi[t * kPanel + r] = kernels::tt::SrcAHi(s.row[t]);
        if (need_a_lo) s.a_lo[t * kPanel + r] = kernels::tt::SrcALo(s.row[t]);
      }
    }
    const float* a_part[2] = {s.a_hi.data(), need_a_lo ? s.a_lo.data() : nullptr};
    for (int64_t i = 0; i < m; ++i) {
      const float* b_part[2] = {b_hi.data() + i * kp, need_b_lo ? b_lo.data() + i * kp : nullptr};
      kernel(b_part, a_part, kp, phases, nm.fp32_accumulation, out);
      for (int64_t r = 0; r < rows; ++r) y[i * n + j0 + r] = out[r];
    }
  });
}

}  // namespace

void TtLinear(const float* x, int64_t m, const LinearWeight& weight, const float* bias, float* y,
              const TtMatmulNumerics& numerics) {
  const int64_t n = weight.values.shape()[0], k = weight.values.shape()[1];
  WeightRows rows(weight, PadK(k));
  RunTtMatmul(x, m, k, rows, n, bias, y, numerics);
}

void TtMatmulTransposedB(const float* a, const float* b, int64_t m, int64_t n, int64_t k, float* c,
                         const TtMatmulNumerics& numerics) {
  ActivationRows rows(b, k, PadK(k), numerics.activation_dtype);
  RunTtMatmul(a, m, k, rows, n, nullptr, c, numerics);
}

void TtPackRows(float* values, int64_t rows, int64_t n, DType dtype) {
  for (int64_t r = 0; r < rows; ++r) tt_internal::PackOutputRow(values + r * n, n, dtype);
}

}  // namespace ttt::ops
