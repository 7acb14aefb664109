// CPU ops on f32 activations. Each op has a scalar reference kernel (core/kernels/reference) and, where it
// matters, AVX2/AVX-512 kernels chosen at run time (core/kernels/kernel_table.h). Ops are threaded with
// the count set by ttt::SetNumThreads.
//
// Contracts: pointers are to contiguous row-major f32 data; callers (blocks) check shapes once when
// they are built, so ops do not re-check them on the hot path.
#pragma once

#include <cstdint>
#include <vector>

#include "core/runtime/tensor.h"

namespace ttt::ops {

// y[m, n] = x[m, k] . weight[n, k]^T (+ bias[n]). `weight` is a contiguous 2-D tensor [n, k] of a dtype
// that describes itself: f32, bf16, bfp8 or bfp4 (block formats: each row padded to whole blocks). Small m
// (decode) runs GEMV kernels that decode the weight in registers, so decode time scales with the weight's
// bytes; m >= 16 runs OpenBLAS sgemm (compressed weights are decoded tile by tile into f32 scratch first).
// i8 weights need their scales: use the LinearWeight overload.
void Linear(const float* x, int64_t m, const Tensor& weight, const float* bias, float* y);

// A Linear weight as a block stores it. i8 alone is not self-describing: row j's real values are
// values[j, :] * row_scale[j] (symmetric per-output-row quantisation, see weight_quantization.h). A separate
// scale tensor, rather than a new dtype, keeps i8 tensors plain [n, k] bytes that can be mapped from a file,
// sliced and concatenated by rows like every other dtype (concatenate the scales the same way).
struct LinearWeight {
  Tensor values;     // [n, k]: f32, bf16, i8, bfp8, bfp4 or a ggml block format (a GGUF file's, dtype_ggml.h)
  Tensor row_scale;  // [n] f32 when values is i8; undefined otherwise
  // Output rows after values' in other ggml block formats: a fused projection of a GGUF file whose parts are
  // quantised differently (Q4_K_M's Q4_K wq and wk beside a Q6_K wv) keeps every part's blocks. Each is
  // [n_i, k]; ops::Linear writes their outputs after values'. Empty otherwise.
  std::vector<Tensor> more_rows;
  // Values stored in the panels of their dtype rather than row-major, same shape and size, for a panel kernel
  // that runs every row count, decode and prefill alike: f32 in kernels::kF32PanelRows panels
  // (core/kernels/kernel_table.h: GemvF32PanelsFn), bf16 in pair panels (core/kernels/internal/bf16_panels.h,
  // GemvBf16PanelsFn), bfp4 row by row in the AVX2 GEMV's step layout (core/kernels/internal/bfp4_steps.h;
  // prompts decode its rows back). Set by the decode weight arena (core/blocks/linear/decode_arena.h).
  bool panels = false;
  int64_t out_features() const;
};
// A fused projection of `parts` (same k) by rows: one tensor when they share a dtype, else the first part's
// rows in `values` and the others in `more_rows` (ggml block formats only).
LinearWeight StackRows(const std::vector<Tensor>& parts);

// Linear on any LinearWeight; y[:, j] = (x . values[j, :]) * row_scale[j] + bias[j] for i8.
//
// `next`, when given, is the weight the caller multiplies by next (decoding: wqkv, then wo, then the MLP's,
// then the next layer's wqkv). Between two GEMVs run norms, rope and attention, a few microseconds in which
// the memory system idles, and each GEMV used to start its weight stream cold: every thread, once its rows
// are done, prefetches the first rows it will take of `next` (kernels::kGemvStreamPrefetchBytes of them),
// so the next GEMV starts where its own prefetch stream takes over.
void Linear(const float* x, int64_t m, const LinearWeight& weight, const float* bias, float* y,
            const Tensor* next = nullptr);

void Add(const float* a, const float* b, float* out, int64_t n);  // out may alias a or b
void Mul(const float* a, const float* b, float* out, int64_t n);

// Per row of `dim` values: x / sqrt(mean(x^2) + eps) * (unit_offset ? 1 + w : w).
void RmsNorm(const float* x, const float* weight, float* out, int64_t rows, int64_t dim, float eps,
             bool unit_offset);
// Per row: (x - mean) / sqrt(var + eps) * w + b (b may be null).
void LayerNorm(const float* x, const float* weight, const float* bias, float* out, int64_t rows, int64_t dim,
               float eps);
// In place, per row, numerically stable (max subtracted).
void Softmax(float* x, int64_t rows, int64_t cols);

void Silu(const float* x, float* out, int64_t n);
void Relu(const float* x, float* out, int64_t n);
void Gelu(const float* x, float* out, int64_t n, bool tanh_approximation);
// x = cap * tanh(x / cap) in place (logit soft-capping); cap > 0.
void SoftCap(float* x, int64_t n, float cap);
// Gated activations of a gated MLP: out = act(gate) * up.
void SiluMul(const float* gate, const float* up, float* out, int64_t n);
void GeluMul(const float* gate, const float* up, float* out, int64_t n, bool tanh_approximation);

enum class RopeConvention { kRotateHalf, kInterleaved };
// Rotates x[tokens, heads, head_dim] in place. Only the first `rotary_dim` values of each head rotate.
// cos/sin tables are [max_position, rotary_dim / 2]; row p holds the angles of position p.
// Rotate-half pairs (i, i + rotary_dim/2); interleaved pairs (2i, 2i + 1).
void Rope(float* x, int64_t tokens, int64_t heads, int64_t head_dim, int64_t rotary_dim,
          const int32_t* positions, const float* cos, const float* sin, RopeConvention convention);

// out[n, dim] = table[ids[i]] for a 2-D table [vocab, dim] of any dtype (rows converted to f32).
void Embedding(const Tensor& table, const int32_t* ids, int64_t n, float* out);

struct AttentionParams {
  int64_t num_heads = 0;
  int64_t num_kv_heads = 0;  // num_heads % num_kv_heads == 0 (GQA); 1 is MQA
  int64_t head_dim = 0;
  float scale = 0;            // usually 1/sqrt(head_dim)
  bool causal = true;
  int64_t sliding_window = 0;  // > 0: query at position p sees keys in (p - window, p]
                               // (non-causal: keys j with |p - j| < window)
  // [num_heads] or null: head h's score of key j for the query at position p gets slopes[h] * -|j - p| after
  // scaling, before the softmax (ALiBi; core/blocks/attention/position_bias.h). Null costs nothing.
  const float* slopes = nullptr;
  // > 0: each scaled score s becomes softcap * tanh(s / softcap) before the bias and the mask (Gemma 2).
  float softcap = 0;
  // [num_heads, tokens, kv_len] or null: head h's scaled score of key j for the call's query t gets
  // bias[(h * tokens + t) * kv_len + j] before the softmax (T5's relative position bias, with scale 1). Null
  // costs nothing.
  const float* bias = nullptr;
};

// Scaled dot-product attention of `tokens` queries at positions pos0 .. pos0+tokens-1 over keys/values
// at positions 0 .. kv_len-1 (kv_len >= pos0 + tokens when causal).
//   q:   [tokens, num_heads * head_dim]
//   k,v: [>= kv_len rows, num_kv_heads * head_dim], row stride `kv_stride` floats (a KV-cache slab)
//   out: [tokens, num_heads * head_dim]
void Attention(const float* q, int64_t tokens, int64_t pos0, const float* k, const float* v, int64_t kv_len,
               int64_t kv_stride, float* out, const AttentionParams& params);

// Keys or values as a KV cache stores them: position p's row of kv_dim values starts at data + p * row_bytes,
// in `dtype` f32, bf16 or bfp8 (bfp8 rows are whole 16-value blocks; a block may span heads).
struct KvRows {
  const void* data = nullptr;
  DType dtype = DType::kF32;
  int64_t row_bytes = 0;
};
// Floats of `work` the KvRows Attention needs for kv_len <= max_kv_len and up to `threads` threads (each
// thread uses its own slice: scores, and for bf16/bfp8 the decoded K/V of the rows it reads).
int64_t AttentionWorkFloats(const AttentionParams& params, int64_t max_kv_len, DType kv_dtype, int threads);
// Attention over K/V in any KvRows dtype. With `work` of AttentionWorkFloats(...) floats it allocates
// nothing; with an empty (or too small) `work` it falls back to per-thread buffers grown on demand.
void Attention(const float* q, int64_t tokens, int64_t pos0, const KvRows& k, const KvRows& v, int64_t kv_len,
               float* out, const AttentionParams& params, absl::Span<float> work = {});

}  // namespace ttt::ops
