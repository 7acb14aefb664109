#include <cblas.h>

#include <algorithm>
#include <cstring>
#include <vector>

#include "core/kernels/kernel_table.h"
#include "core/ops/internal/op_check.h"
#include "core/ops/internal/parallel.h"
#include "core/ops/ops.h"
#include "core/runtime/dtype_ggml.h"

namespace ttt::ops {
namespace {

// From this many rows on, OpenBLAS sgemm beats the GEMV kernels (which stream the weight once and reuse it
// from L1 for each row). Measured with bench/ops_bench.cc BM_GemvRows vs BM_SgemmRows (1536x576, 2 threads,
// OpenBLAS 0.3.21 with its SkylakeX kernels): GEMV ~65 GFLOP/s for every m, sgemm 10 GFLOP/s at m = 1,
// 50 at m = 8, 88 at m = 16 and ~230 at m = 128. (With the SSE3 "Prescott" kernels that OpenBLAS 0.3.21
// falls back to on CPUs it does not know, sgemm stays near 30 GFLOP/s: set OPENBLAS_CORETYPE.)
constexpr int64_t kSgemmMinRows = 16;

// From this many rows on, a dtype's own GEMM (KernelTable::gemm, where the table has one) replaces the GEMV.
constexpr int64_t kGemmMinRows = 16;

// GEMV chunks are whole groups of weight rows so each thread's kernel runs its fast multi-row path.
constexpr int64_t kGemvRowAlign = 16;

// Below kSgemmMinRows activation rows (batched decode), the GEMV kernels read every weight row once per
// activation row (or pair): in tiles of weight rows that stay in L2, only the first pass comes from memory.
constexpr size_t kGemvTileBytes = 128 << 10;

// gemv over rows [begin, end), in tiles of kGemvTileBytes (whole row groups) when there are several activation rows.
void TiledGemv(kernels::GemvFn gemv, const float* x, int64_t m, int64_t k, const char* w, size_t row_bytes,
               int64_t begin, int64_t end, float* y, int64_t ldy) {
  int64_t tile = end - begin;
  if (m > 1) {
    tile = static_cast<int64_t>(kGemvTileBytes / std::max<size_t>(row_bytes, 1));
    tile = std::max<int64_t>(kGemvRowAlign, tile / kGemvRowAlign * kGemvRowAlign);
  }
  for (int64_t t = begin; t < end; t += tile) gemv(x, m, k, w, row_bytes, t, std::min(end, t + tile), y, ldy);
}

// Columns [n_begin, n_end) of y[m, ldy] = x[m, k] . w[n, k]^T, with w pointing at row n_begin.
void Sgemm(const float* x, int64_t m, int64_t k, const float* w, int64_t n_begin, int64_t n_end, int64_t ldy,
           float* y) {
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, static_cast<int>(m), static_cast<int>(n_end - n_begin),
              static_cast<int>(k), 1.0f, x, static_cast<int>(k), w, static_cast<int>(k), 0.0f, y + n_begin,
              static_cast<int>(ldy));
}

// y[:, j] = y[:, j] * row_scale[j] + bias[j] over columns [n_begin, n_end) of rows `ldy` apart; either
// pointer may be null.
void Epilogue(const float* row_scale, const float* bias, int64_t m, int64_t ldy, int64_t n_begin, int64_t n_end,
              float* y) {
  if (row_scale == nullptr && bias == nullptr) return;
  for (int64_t r = 0; r < m; ++r) {
    float* row = y + r * ldy;
    if (row_scale != nullptr && bias != nullptr) {
      for (int64_t j = n_begin; j < n_end; ++j) row[j] = row[j] * row_scale[j] + bias[j];
    } else if (row_scale != nullptr) {
      for (int64_t j = n_begin; j < n_end; ++j) row[j] *= row_scale[j];
    } else {
      for (int64_t j = n_begin; j < n_end; ++j) row[j] += bias[j];
    }
  }
}

// OpenBLAS's result for an output column depends on the shape of the call it is computed in (its Haswell
// and Zen kernels block n differently for different widths; measured: splitting a 1000-column sgemm at
// any column changes ~30% of the outputs in the last bits). So the sgemm path always calls sgemm on the
// same column tiles, whatever the thread count, and threads take whole tiles: results are bitwise
// identical for 1 or N threads. A multiple of 4 tiles of at most ~256 columns keeps 2 and 4 threads
// balanced and each call wide enough for sgemm to run at full speed.
int64_t SgemmTileColumns(int64_t n) {
  const int64_t tiles = (n + 255) / 256;
  const int64_t tiles_balanced = (tiles + 3) / 4 * 4;
  const int64_t columns = (n + tiles_balanced - 1) / tiles_balanced;
  return (columns + kGemvRowAlign - 1) / kGemvRowAlign * kGemvRowAlign;
}

// Compressed weight rows [begin, end) decoded into an f32 tile (reused across calls: no allocation on
// the hot path); the tile of at most SgemmTileColumns rows stays in L2 while sgemm reads it. `panels`: bfp4
// rows in the step layout (internal/bfp4_steps.h).
const float* DequantTile(const char* w, size_t row_bytes, DType dtype, bool panels, int64_t k, int64_t begin,
                         int64_t end) {
  const kernels::DequantRowFn dequant =
      panels ? kernels::ActiveKernels().dequant_row_bfp4_steps : kernels::ActiveKernels().DequantRow(dtype);
  thread_local std::vector<float> tile;
  tile.resize(static_cast<size_t>((end - begin) * k));
  for (int64_t r = begin; r < end; ++r) dequant(w + r * row_bytes, k, tile.data() + (r - begin) * k);
  return tile.data();
}

// Output columns [begin, end) (a whole number of tiles) through sgemm, one tile per call.
void TiledSgemm(const float* x, int64_t m, int64_t k, const Tensor& weight, bool panels, size_t row_bytes,
                int64_t tile, int64_t begin, int64_t end, int64_t ldy, float* y) {
  const DType dtype = weight.dtype();
  for (int64_t t = begin; t < end; t += tile) {
    const int64_t t_end = std::min(end, t + tile);
    const float* w = dtype == DType::kF32 ? weight.data<float>() + t * k
                                          : DequantTile(static_cast<const char*>(weight.raw_data()), row_bytes,
                                                        dtype, panels, k, t, t_end);
    Sgemm(x, m, k, w, t, t_end, ldy, y);
  }
}

// As TiledSgemm, for the OpenMP team's threads: f32 rows through sgemm; compressed rows decoded to an f32
// tile, packed into panels (kernel_table.h: GemvF32PanelsFn) and multiplied by the panel GEMV, which outruns
// sgemm on such tiles (measured in LinearImpl's f32 panel branch). Each tile is decoded and packed once
// for all m rows.
void TiledPrefill(const float* x, int64_t m, int64_t k, const Tensor& weight, bool panels, size_t row_bytes,
                  int64_t tile, int64_t begin, int64_t end, int64_t ldy, float* y) {
  if (weight.dtype() == DType::kF32) return TiledSgemm(x, m, k, weight, false, row_bytes, tile, begin, end, ldy, y);
  const kernels::GemvF32PanelsFn gemv = kernels::ActiveKernels().gemv_f32_panels;
  thread_local std::vector<float> packed;
  for (int64_t t = begin; t < end; t += tile) {
    const int64_t rows = std::min(end, t + tile) - t;
    const float* w =
        DequantTile(static_cast<const char*>(weight.raw_data()), row_bytes, weight.dtype(), panels, k, t, t + rows);
    packed.resize(static_cast<size_t>(rows * k));
    kernels::ActiveKernels().pack_panels(w, rows, k, packed.data());
    gemv(x, m, k, packed.data(), rows, 0, rows, y + t, ldy);
  }
}

// Prefetches the first kGemvStreamPrefetchBytes of `weight` from row `first` (rounded down as the GEMV
// rounds thread ranges): what the thread that takes those rows reads first.
void PrefetchRowsFrom(const Tensor& weight, int64_t first) {
  const int64_t n = weight.dim(0);
  first -= first % kGemvRowAlign;
  const size_t row_bytes = StorageBytes(weight.dtype(), weight.dim(1));
  const char* start = static_cast<const char*>(weight.raw_data()) + first * row_bytes;
  const int64_t bytes = std::min<int64_t>(kernels::kGemvStreamPrefetchBytes, (n - first) * row_bytes);
  for (int64_t offset = 0; offset < bytes; offset += 64) __builtin_prefetch(start + offset, 0, 3);
}

// y's rows are `ldy` floats apart (n for a plain weight; the whole output for a part of a stacked one).
// `panels`: weight is in the panels of its dtype (LinearWeight::panels).
void LinearImpl(const float* x, int64_t m, const Tensor& weight, bool panels, const float* row_scale,
                const float* bias, float* y, int64_t ldy, const Tensor* next) {
  const int64_t n = weight.dim(0);
  const int64_t k = weight.dim(1);
  if (m <= 0 || n <= 0) return;
  if (k == 0) {  // an empty sum (cblas rejects lda = 0)
    for (int64_t r = 0; r < m; ++r) {
      for (int64_t j = 0; j < n; ++j) y[r * ldy + j] = bias != nullptr ? bias[j] : 0.0f;
    }
    return;
  }
  const DType dtype = weight.dtype();
  const size_t row_bytes = StorageBytes(dtype, k);
  const char* w = static_cast<const char*>(weight.raw_data());
  const bool threaded_blas = openblas_get_num_threads() > 1;
  if (IsGgmlFormat(dtype) && m == 1 && kernels::ActiveKernels().GemvGgmlQ8(dtype) != nullptr) {
    // Decode: the row rounded to llama.cpp's 8-bit blocks once, then integer dot products per weight block.
    const kernels::GemvGgmlQ8Fn gemv = kernels::ActiveKernels().GemvGgmlQ8(dtype);
    thread_local ggml::QuantizedActivations buffer;
    ggml::QuantizeActivations(dtype, x, k, &buffer);
    // The workers read this thread's buffer: through a reference, as a lambda names a thread_local directly.
    const ggml::QuantizedActivations& quantized = buffer;
    internal::ParallelRanges(n, 2 * n * k, kGemvRowAlign, [&](int64_t begin, int64_t end) {
      gemv(quantized, k, w, row_bytes, begin, end, y);
      Epilogue(row_scale, bias, 1, ldy, begin, end, y);
      if (next != nullptr) PrefetchRowsFrom(*next, begin * next->dim(0) / n);
    });
    return;
  }
  if (IsGgmlFormat(dtype)) {  // the activations llama.cpp multiplies a GGUF file's blocks with (dtype_ggml.h)
    thread_local std::vector<float> rounded;
    rounded.resize(static_cast<size_t>(m * k));
    for (int64_t r = 0; r < m; ++r) ggml::RoundActivations(dtype, x + r * k, k, rounded.data() + r * k);
    x = rounded.data();
  }

  if (panels && dtype != DType::kBFP4) {  // bfp4 in steps: below, with the stored layout's paths
    // Every m, prefill too: the panel GEMV keeps a group of panels in L1/L2 for all the rows, so from m = 8
    // on it computes at FMA speed. Measured against unpacking tiles for OpenBLAS sgemm (SmolLM-135M shape,
    // f32, 2 threads, AMD EPYC Zen 5; tokens/s): AVX-512 pp16 300 -> 878, pp128 672 -> 1324, pp512 553 ->
    // 1032 (sgemm's Haswell kernels) or 923 -> 1355 (its SkylakeX kernels); AVX2 (TTT_ISA=avx2) pp16 282
    // -> 471, pp128 649 -> 580, pp512 575 -> 645. Each output stays one chain over k (f32 FMAs, bf16
    // vdpbf16ps over pairs), so a prompt's projections give decode's bits.
    const kernels::KernelTable& table = kernels::ActiveKernels();
    static_assert(kGemvRowAlign % kernels::kF32PanelRows == 0);  // every thread's range starts at a panel
    internal::ParallelRanges(n, 2 * m * n * k, kGemvRowAlign, [&](int64_t begin, int64_t end) {
      if (dtype == DType::kBF16) {
        table.gemv_bf16_panels(x, m, k, w, n, begin, end, y, ldy);
      } else {
        table.gemv_f32_panels(x, m, k, weight.data<float>(), n, begin, end, y, ldy);
      }
      Epilogue(row_scale, bias, m, ldy, begin, end, y);
      if (next != nullptr) PrefetchRowsFrom(*next, begin * next->dim(0) / n);
    });
    return;
  }
  if (m >= kGemmMinRows && kernels::ActiveKernels().Gemm(dtype) != nullptr) {
    // A prompt through a GEMM that multiplies in the weight's own format (kernel_table.h: KernelTable::gemm).
    const kernels::GemvFn gemm = kernels::ActiveKernels().Gemm(dtype);
    internal::ParallelRanges(n, 2 * m * n * k, kGemvRowAlign, [&](int64_t begin, int64_t end) {
      gemm(x, m, k, w, row_bytes, begin, end, y, ldy);
      Epilogue(row_scale, bias, m, ldy, begin, end, y);
    });
    return;
  }
  if (m >= kSgemmMinRows) {
    const int64_t tile = SgemmTileColumns(n);
    if (threaded_blas) {
      // The caller gave OpenBLAS threads of its own (SetNumThreads turns them off): OpenBLAS splits each
      // tile over them, and compressed tiles are decoded by this thread.
      TiledSgemm(x, m, k, weight, panels, row_bytes, tile, 0, n, ldy, y);
      internal::ParallelRanges(n, m * n, tile,
                               [&](int64_t begin, int64_t end) { Epilogue(row_scale, bias, m, ldy, begin, end, y); });
      return;
    }
    // Single-threaded OpenBLAS inside the OpenMP team: one pool of threads for every op, instead of
    // OpenBLAS's pthreads and OpenMP's spinning against each other on the same cores.
    internal::ParallelRanges(n, 2 * m * n * k, tile, [&](int64_t begin, int64_t end) {
      TiledPrefill(x, m, k, weight, panels, row_bytes, tile, begin, end, ldy, y);
      Epilogue(row_scale, bias, m, ldy, begin, end, y);
    });
    return;
  }

  const kernels::GemvFn gemv = panels ? kernels::ActiveKernels().gemv_bfp4_steps : kernels::ActiveKernels().Gemv(dtype);
  internal::ParallelRanges(n, 2 * m * n * k, kGemvRowAlign, [&](int64_t begin, int64_t end) {
    TiledGemv(gemv, x, m, k, w, row_bytes, begin, end, y, ldy);
    Epilogue(row_scale, bias, m, ldy, begin, end, y);
    // This thread's share of `next` starts where its share of this weight did, proportionally.
    if (next != nullptr) PrefetchRowsFrom(*next, begin * next->dim(0) / n);
  });
}

void CheckWeight(const Tensor& weight) {
  TTT_OP_CHECK(weight.rank() == 2 && weight.is_contiguous(),
               "ops::Linear: weight must be a contiguous 2-D tensor [n, k], got ", weight.DebugString(),
               "; call Contiguous() when building the block");
  TTT_OP_CHECK(kernels::ActiveKernels().Gemv(weight.dtype()) != nullptr,
               "ops::Linear: no CPU kernel for ", DTypeName(weight.dtype()), " weights (weight ",
               weight.DebugString(), "); configure f32, bf16, i8, bfp8 or bfp4 weights for this op in the "
               "hardware config");
}

}  // namespace

void Linear(const float* x, int64_t m, const Tensor& weight, const float* bias, float* y) {
  CheckWeight(weight);
  TTT_OP_CHECK(weight.dtype() != DType::kI8, "ops::Linear: i8 weight ", weight.DebugString(),
               " has no per-row scales; pass an ops::LinearWeight with row_scale (see QuantizeWeight)");
  LinearImpl(x, m, weight, false, nullptr, bias, y, weight.dim(0), nullptr);
}

void Linear(const float* x, int64_t m, const LinearWeight& weight, const float* bias, float* y, const Tensor* next) {
  CheckWeight(weight.values);
  if (weight.values.dtype() != DType::kI8) {
    TTT_OP_CHECK(!weight.row_scale.defined(), "ops::Linear: row_scale ", weight.row_scale.DebugString(),
                 " given for a ", DTypeName(weight.values.dtype()),
                 " weight; only i8 weights take scales (leave row_scale undefined)");
    if (weight.more_rows.empty()) {
      LinearImpl(x, m, weight.values, weight.panels, nullptr, bias, y, weight.values.dim(0), next);
      return;
    }
    // A stacked weight: each part writes its columns of the whole output.
    const int64_t n = weight.out_features();
    int64_t column = 0;
    for (size_t p = 0; p <= weight.more_rows.size(); ++p) {
      const Tensor& part = p == 0 ? weight.values : weight.more_rows[p - 1];
      CheckWeight(part);
      const bool last = p == weight.more_rows.size();
      LinearImpl(x, m, part, false, nullptr, bias != nullptr ? bias + column : nullptr, y + column, n,
                 last ? next : nullptr);
      column += part.dim(0);
    }
    return;
  }
  const Tensor& scale = weight.row_scale;
  TTT_OP_CHECK(scale.defined() && scale.dtype() == DType::kF32 && scale.rank() == 1 &&
                   scale.dim(0) == weight.values.dim(0) && scale.is_contiguous(),
               "ops::Linear: i8 weight ", weight.values.DebugString(), " needs a contiguous f32 row_scale [",
               weight.values.dim(0), "], got ", scale.defined() ? scale.DebugString() : "none",
               "; build it with QuantizeWeight (core/ops/weight_quantization.h)");
  LinearImpl(x, m, weight.values, false, scale.data<float>(), bias, y, weight.values.dim(0), next);
}

int64_t LinearWeight::out_features() const {
  int64_t n = values.dim(0);
  for (const Tensor& part : more_rows) n += part.dim(0);
  return n;
}

LinearWeight StackRows(const std::vector<Tensor>& parts) {
  bool one_dtype = true;
  for (const Tensor& p : parts) one_dtype = one_dtype && p.dtype() == parts.front().dtype();
  if (one_dtype) {
    int64_t rows = 0;
    for (const Tensor& p : parts) rows += p.dim(0);
    Tensor out = Tensor::Empty(parts.front().dtype(), {rows, parts.front().dim(1)});
    char* dst = static_cast<char*>(out.raw_data());
    for (const Tensor& p : parts) {
      const Tensor part = p.Contiguous();
      std::memcpy(dst, part.raw_data(), part.nbytes());
      dst += part.nbytes();
    }
    return LinearWeight{.values = std::move(out), .row_scale = {}, .more_rows = {}};
  }
  for (const Tensor& p : parts) {
    TTT_OP_CHECK(IsGgmlFormat(p.dtype()), "ops::StackRows: parts of different dtypes must be ggml block formats, got ",
                 p.DebugString());
  }
  LinearWeight out{.values = parts.front().Contiguous(), .row_scale = {}, .more_rows = {}};
  for (size_t i = 1; i < parts.size(); ++i) out.more_rows.push_back(parts[i].Contiguous());
  return out;
}

}  // namespace ttt::ops
