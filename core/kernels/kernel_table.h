// One table of function pointers per instruction set (the ggml/CTranslate2 pattern): ops call
// ActiveKernels().<kernel> and never switch on the ISA themselves. Every entry exists in every table: an ISA
// without its own version of a kernel inherits the next weaker one, down to the scalar reference.
//
// Kernels work on one row (or one query) of contiguous f32 data; ops own the loops over rows and threads.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/runtime/cpu_features.h"
#include "core/runtime/dtype.h"

namespace ttt::ggml {
struct QuantizedActivations;  // core/runtime/dtype_ggml.h
}  // namespace ttt::ggml

namespace ttt::kernels {

// Rows [n_begin, n_end) of y[m, ldy] = x[m, k] . w[n, k]^T. Weight row j starts at
// (const char*)w + j * w_row_bytes and holds k values in the kernel's dtype (block formats: whole blocks).
// All m rows of x are computed per weight row, so the weight is read from memory once.
// i8 kernels return the dot products with the raw integers: the per-row scale of an i8 weight is applied by
// the caller (ops::Linear), together with the bias, so every dtype's kernel has this one signature.
using GemvFn = void (*)(const float* x, int64_t m, int64_t k, const void* w, size_t w_row_bytes,
                        int64_t n_begin, int64_t n_end, float* y, int64_t ldy);
// f32 weights for any number m of activation rows (decode batches and prompts): the weight [n, k] packed
// once at load into panels of kF32PanelRows rows, k-major, so a kernel loads each panel's 16 values of
// column c with one (AVX-512) or two (AVX2) vector loads and feeds them m broadcast activations into m
// accumulators: no horizontal reductions, and the weight stream is read in order. Panel p holds rows
// [16p, min(16p + 16, n)), w = its row count (16 but for the last panel); row 16p + r's value c is at
// panels[16p * k + c * w + r]. The packed copy has the same size as the row-major one (internal/f32_panels.h
// packs and unpacks).
//
// Every output is one FMA chain over c = 0..k-1 in order (acc = fma(w[j][c], x[r][c], acc) from 0), in every
// table: results are bit-identical across ISAs, thread splits and batch sizes (a sequence's logits do not
// depend on the batch it is decoded in). Rows [n_begin, n_end) of y[m, ldy]; n_begin is a multiple of 16 and
// n_end one too or n.
inline constexpr int kF32PanelRows = 16;
using GemvF32PanelsFn = void (*)(const float* x, int64_t m, int64_t k, const float* panels, int64_t n,
                                 int64_t n_begin, int64_t n_end, float* y, int64_t ldy);
// dst = the panels of the row-major src: n rows of `words` 32-bit words (f32 values, or bf16 pairs for
// GemvBf16PanelsFn), the layout above; dst and src do not overlap. Every table packs the same bits
// (internal/f32_panels.h PackPanelWords is the scalar reference).
using PackPanelsFn = void (*)(const void* src, int64_t n, int64_t words, void* dst);
// bf16 weights [n, k] (k even) for any number m of activation rows, in the bf16 pair panels of
// internal/bf16_panels.h: the activations are rounded to bf16 once per call and every output is one chain of
// vdpbf16ps over the pairs in order, whatever m, the thread split or the blocking (decode gives prefill's
// bits). Rows [n_begin, n_end) of y[m, ldy]; n_begin a multiple of 16, n_end one too or n. Only tables with
// AVX512-BF16 have one (null elsewhere: bf16 weights stay row-major there).
using GemvBf16PanelsFn = void (*)(const float* x, int64_t m, int64_t k, const void* panels, int64_t n,
                                  int64_t n_begin, int64_t n_end, float* y, int64_t ldy);
// The decode GEMV of the ggml block formats by integer dot products (generic/gemv_ggml_int.h): y[j] for rows
// [n_begin, n_end) = one activation row, given as llama.cpp rounds it (ggml::QuantizeActivations for this
// weight dtype), times weight row j (GemvFn's layout). Same result as the dtype's GemvFn on the rounded values
// (ggml::RoundActivations) up to f32 summation order.
using GemvGgmlQ8Fn = void (*)(const ggml::QuantizedActivations& x, int64_t k, const void* w, size_t w_row_bytes,
                              int64_t n_begin, int64_t n_end, float* y);
// Decodes one weight row of k values of the table's dtype into f32 (i8: the raw integers, unscaled). Used
// to dequantise weight tiles for sgemm when many activation rows (prefill) share the weight.
using DequantRowFn = void (*)(const void* w_row, int64_t k, float* out);
using DotFn = float (*)(const float* a, const float* b, int64_t n);
using RmsNormRowFn = void (*)(const float* x, const float* w, float* out, int64_t dim, float eps,
                              bool unit_offset);
using LayerNormRowFn = void (*)(const float* x, const float* w, const float* b, float* out, int64_t dim,
                                float eps);
using SoftmaxRowFn = void (*)(float* x, int64_t n);
using UnaryFn = void (*)(const float* x, float* out, int64_t n);
// out = cap * tanh(x / cap) (logit soft-capping, Gemma 2); cap > 0.
using SoftCapFn = void (*)(const float* x, float* out, int64_t n, float cap);
using BinaryFn = void (*)(const float* a, const float* b, float* out, int64_t n);
// Rotates one head in place; cos/sin hold rotary_dim/2 angles of this token's position.
using RopeHeadFn = void (*)(float* x, const float* cos, const float* sin, int64_t half_rotary_dim);
// A linear distance bias on the scores (ALiBi, core/blocks/attention/position_bias.h): with `slopes` set, query
// g's scaled score of the key in row j gets slopes[g] * -|j - query_pos| (f32, as llama.cpp adds it) before the
// softmax. Row j is the key's position, so this is slopes[g] * (j - query_pos) for a causal query's keys.
// Null slopes (the default): no bias, at the cost of one test per call.
// With `softcap` > 0 the scaled scores are first soft-capped: s -> softcap * tanh(s / softcap) (Gemma 2).
// With `table` set, query g's score of the key in row j then gets table[g * table_stride + j] (an additive bias
// given per query and key: T5's relative position bias).
struct ScoreBias {
  const float* slopes = nullptr;  // one per query of the call
  int64_t query_pos = 0;
  float softcap = 0;
  const float* table = nullptr;  // one row per query of the call, indexed by the key's row
  int64_t table_stride = 0;
  // The same bias for keys whose rows start at `first_row` (a kernel that decoded rows first_row.. into a tile
  // indexes them from 0).
  ScoreBias From(int64_t first_row) const {
    return {slopes, query_pos - first_row, softcap, table != nullptr ? table + first_row : nullptr, table_stride};
  }
};
// `num_queries` queries that share one kv head and one key range [key_begin, key_end) (the query heads of a
// GQA group at one position; q and out rows are head_dim apart): per query scores = scale * q.k (+ bias),
// softmax, out = sum p v. Taking the whole group lets a kernel read each K/V row from memory once for all of
// them. k and v point at the kv head's columns of row 0; rows are `kv_stride` floats apart. `scores` is
// scratch of at least num_queries * (key_end - key_begin) floats. An empty key range writes zeros.
using AttentionQueriesFn = void (*)(const float* q, int64_t num_queries, const float* k, const float* v,
                                    int64_t kv_stride, int64_t key_begin, int64_t key_end, int64_t head_dim,
                                    float scale, ScoreBias bias, float* scores, float* out);
// AttentionQueriesFn over K/V rows stored as bf16 or bfp8 (or f32): k and v point at row 0 of the slab,
// rows `row_bytes` apart; the kv head's values are elements [col0, col0 + head_dim) of each row. `work`
// holds at least AttentionKvWorkFloats(num_queries, key_end - key_begin, head_dim) floats.
using AttentionQueriesKvFn = void (*)(const float* q, int64_t num_queries, const void* k, const void* v,
                                      DType kv_dtype, int64_t row_bytes, int64_t col0, int64_t key_begin,
                                      int64_t key_end, int64_t head_dim, float scale, ScoreBias bias,
                                      float* work, float* out);
inline int64_t AttentionKvWorkFloats(int64_t num_queries, int64_t keys, int64_t head_dim) {
  return num_queries * keys + 2 * keys * head_dim;
}

// The inner loops of the emulated Tenstorrent matmul (core/ops/tt_numerics.cc): one activation row against
// 16 weight rows (a panel) or one, every fidelity phase and every Dst accumulation as the device does them
// (../shared/notes/tt-numerics.md §2.3, §2.5, §2.7). Every table's kernels give bit-identical results: same
// products, same summation tree, same roundings.
//
// Operands are already unpacked and split into the multiplier's phase parts by the op; phase p multiplies
// SrcA part (p & 1) by SrcB part (p >> 1), part 0 being the hi part and 1 the lo part:
//   b_part[0|1]: kp SrcB values of one activation row; kp is a multiple of 32 (one tile).
//   a_panel[0|1]: the SrcA parts of kTtPanelRows weight rows, interleaved: a_panel[p][k * 16 + r] is row r's
//   value k. a_row[0|1]: one weight row's kp values.
// Parts no phase uses (lo parts at low fidelity) may be null. Per K tile of 32, phases 0..phases-1 (each a
// separate MVMUL over the tile, §2.3), each MVMUL adding the sum of 16 products (§2.7 step 2), summed in FP32
// as a pairwise tree (l + l+8, then +4, +2, +1, reference/tt_matmul_ref.cc); Dst is rounded to BF16
// (round to nearest even, §2.5) after every accumulation unless fp32_acc. The panel kernel writes its 16 Dst
// values to out, the row kernel returns its one.
inline constexpr int kTtPanelRows = 16;
using TtPanelFn = void (*)(const float* const b_part[2], const float* const a_panel[2], int64_t kp, int phases,
                           bool fp32_acc, float* out);
// For few activation rows (decode), where interleaving a panel would cost more than the products themselves.
using TtRowFn = float (*)(const float* const b_part[2], const float* const a_row[2], int64_t kp, int phases,
                          bool fp32_acc);

inline constexpr int kNumDTypes = static_cast<int>(DType::kQ6_K) + 1;

// How far ahead of its reads a compressed GEMV kernel prefetches in its weight stream (measured best at
// 8 KiB: avx512/vnni_common_avx512.h). ops::Linear prefetches this much of the next
// weight, so that the kernel's own prefetches continue the stream rather than start it.
inline constexpr int64_t kGemvStreamPrefetchBytes = 8192;

struct KernelTable {
  Isa isa = Isa::kScalar;

  // Indexed by weight dtype; a null entry means "no kernel for that weight dtype" (f16, i32). f32, bf16, i8,
  // bfp8, bfp4 and the ggml block formats (internal/ggml_kernels.h) have kernels in every table.
  std::array<GemvFn, kNumDTypes> gemv{};
  GemvFn Gemv(DType weight_dtype) const { return gemv[static_cast<int>(weight_dtype)]; }
  // Indexed by weight dtype like `gemv`; every dtype with a GEMV kernel has one.
  std::array<DequantRowFn, kNumDTypes> dequant_row{};
  DequantRowFn DequantRow(DType weight_dtype) const { return dequant_row[static_cast<int>(weight_dtype)]; }
  // Prompts (ops::Linear from kGemmMinRows activation rows on), indexed by weight dtype, GemvFn's signature: a
  // kernel that multiplies in the weight's own format (AVX-512 bf16: vdpbf16ps, activations rounded to bf16)
  // rather than decoding weight tiles to f32. Null (most dtypes): ops::Linear decodes tiles for the f32 kernels.
  std::array<GemvFn, kNumDTypes> gemm{};
  GemvFn Gemm(DType weight_dtype) const { return gemm[static_cast<int>(weight_dtype)]; }
  // Indexed by weight dtype; null (the reference table, non-ggml dtypes): ops::Linear takes `gemv` instead.
  std::array<GemvGgmlQ8Fn, kNumDTypes> gemv_ggml_q8{};
  GemvGgmlQ8Fn GemvGgmlQ8(DType weight_dtype) const { return gemv_ggml_q8[static_cast<int>(weight_dtype)]; }

  GemvF32PanelsFn gemv_f32_panels = nullptr;
  PackPanelsFn pack_panels = nullptr;
  GemvBf16PanelsFn gemv_bf16_panels = nullptr;
  // bfp4 weights packed row by row in the step layout of internal/bfp4_steps.h, GemvFn's signature and the
  // stored row size; the same results as gemv[kBFP4] on the stored rows. Only the AVX2 table has one (null
  // elsewhere: the AVX-512 kernels read the stored layout as fast as memory allows, the scalar one is the
  // reference).
  GemvFn gemv_bfp4_steps = nullptr;
  // Decodes one such row (prompts decode weight tiles with it); set wherever gemv_bfp4_steps is.
  DequantRowFn dequant_row_bfp4_steps = nullptr;
  DotFn dot_f32 = nullptr;
  RmsNormRowFn rmsnorm_row = nullptr;
  LayerNormRowFn layernorm_row = nullptr;
  SoftmaxRowFn softmax_row = nullptr;

  UnaryFn silu = nullptr;
  UnaryFn relu = nullptr;
  UnaryFn gelu_erf = nullptr;
  UnaryFn gelu_tanh = nullptr;
  SoftCapFn softcap = nullptr;

  BinaryFn add = nullptr;
  BinaryFn mul = nullptr;
  BinaryFn silu_mul = nullptr;      // silu(a) * b
  BinaryFn gelu_erf_mul = nullptr;  // gelu(a) * b
  BinaryFn gelu_tanh_mul = nullptr;

  RopeHeadFn rope_rotate_half = nullptr;
  RopeHeadFn rope_interleaved = nullptr;

  AttentionQueriesFn attention_queries = nullptr;
  AttentionQueriesKvFn attention_queries_kv = nullptr;

  TtPanelFn tt_panel = nullptr;
  TtRowFn tt_row = nullptr;
};

// The table of `isa`. Asking for an ISA this machine lacks returns the best one it has (never a table whose
// kernels would fault).
const KernelTable& Kernels(Isa isa);
// The table of ttt::BestIsa(), chosen once.
const KernelTable& ActiveKernels();
// Every ISA this machine and build can run, weakest first (always starts with kScalar).
std::vector<Isa> AvailableIsas();

}  // namespace ttt::kernels
