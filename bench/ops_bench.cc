// CPU op micro-benchmarks: the machine's roofline (memory read bandwidth, OpenBLAS sgemm peak) next to the
// ops that should reach it (GEMV for decode is bandwidth-bound; prefill Linear is sgemm-bound).
//
//   ttt_ops_bench --benchmark_filter='MemoryRead|LinearDecode'   bytes/s of GEMV vs. of a plain read
//   ttt_ops_bench --benchmark_filter='Rows'                      where sgemm overtakes GEMV (kSgemmMinRows)
//   ttt_ops_bench --benchmark_filter='LinearDecode.*cold:1'     decode per weight dtype, model-sized weights
//   ttt_ops_bench --benchmark_filter='PanelDecode'              batched f32 decode, row-major vs panels
//
// Thread counts are benchmark arguments (ttt::SetNumThreads), so 1- and 2-thread figures sit side by side.
#include <benchmark/benchmark.h>
#include <cblas.h>
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <utility>
#include <random>
#include <vector>

#include "core/kernels/internal/f32_panels.h"
#include "core/kernels/kernel_table.h"
#include "core/ops/ops.h"
#include "core/ops/weight_quantization.h"
#include "core/runtime/tensor.h"
#include "core/runtime/threading.h"

namespace {

std::vector<float> Random(int64_t n, uint32_t seed) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  std::vector<float> v(static_cast<size_t>(n));
  for (float& x : v) x = dist(gen);
  return v;
}

ttt::Tensor RandomWeight(int64_t n, int64_t k) { return ttt::Tensor::FromF32({n, k}, Random(n * k, 7)); }

// `threads` OpenMP threads and single-threaded OpenBLAS (ops::Linear then splits sgemm over the OpenMP
// team): OpenBLAS's own pthread pool spinning next to OpenMP's makes every op after an sgemm many times
// slower on a 2-core machine. The raw sgemm benchmarks, which want OpenBLAS's threads, run last for the
// same reason.
void UseThreads(int threads) {
  ttt::SetNumThreads(threads);
  openblas_set_num_threads(1);
}

// Sums a 256 MiB buffer (larger than any cache) with the active SIMD kernel, split over the threads: the
// read bandwidth GEMV is compared with.
void BM_MemoryReadBandwidth(benchmark::State& state) {
  const int threads = static_cast<int>(state.range(0));
  const int64_t n = int64_t{256} << 20 >> 2;
  ttt::Tensor buffer = ttt::Tensor::FromF32({n}, Random(n, 1));
  const float* data = buffer.data<float>();
  const ttt::kernels::DotFn dot = ttt::kernels::ActiveKernels().dot_f32;
  for (auto _ : state) {
    float total = 0;
#pragma omp parallel num_threads(threads) reduction(+ : total)
    {
      const int64_t id = omp_get_thread_num(), team = omp_get_num_threads();
      const int64_t begin = n * id / team, end = n * (id + 1) / team;
      // dot(a, a) streams `a` once: the second load of each vector hits L1.
      total += dot(data + begin, data + begin, end - begin);
    }
    benchmark::DoNotOptimize(total);
  }
  state.SetBytesProcessed(state.iterations() * n * static_cast<int64_t>(sizeof(float)));
}
BENCHMARK(BM_MemoryReadBandwidth)->Arg(1)->Arg(2)->UseRealTime()->Unit(benchmark::kMillisecond);


// ops::Linear at decode (m = 1) on the SmolLM-135M projections, per weight dtype (the DType number: 0 f32,
// 2 bf16, 3 i8, 5 bfp8, 6 bfp4); bytes/s counts the weight bytes read (i8 scales included).
//
// A decode step streams the whole model (SmolLM-135M: ~540 MB in f32), so the weight comes from DRAM, or
// from L3 once it is small enough. With `cold` = 1 the benchmark therefore cycles through copies of the
// weight totalling 512 MiB in f32 (and as many copies, hence the model's footprint, in the other dtypes);
// `cold` = 0 repeats one copy, which stays in L2/L3.
void BM_LinearDecode(benchmark::State& state) {
  const int64_t n = state.range(0), k = state.range(1);
  UseThreads(static_cast<int>(state.range(2)));
  const auto dtype = static_cast<ttt::DType>(state.range(3));
  const bool cold = state.range(4) != 0;
  const int64_t m = state.range(5);  // activation rows: 1 for one sequence's decode, more for a batch's
  auto quantized = ttt::ops::QuantizeWeight(RandomWeight(n, k), dtype);
  if (!quantized.ok()) {
    state.SkipWithError(std::string(quantized.status().message()).c_str());
    return;
  }
  const int64_t f32_bytes = n * k * static_cast<int64_t>(sizeof(float));
  const int64_t copies = cold ? ((int64_t{512} << 20) + f32_bytes - 1) / f32_bytes : 1;
  std::vector<ttt::ops::LinearWeight> weights(static_cast<size_t>(copies), *quantized);
  for (int64_t c = 1; c < copies; ++c) {  // separate storage per copy, bytes copied (not re-quantised)
    ttt::Tensor values = ttt::Tensor::Empty(dtype, {n, k});
    std::memcpy(values.raw_data(), quantized->values.raw_data(), quantized->values.nbytes());
    weights[c].values = values;
  }
  const int64_t weight_bytes = static_cast<int64_t>(quantized->values.nbytes()) +
                               (quantized->row_scale.defined() ? n * static_cast<int64_t>(sizeof(float)) : 0);
  auto x = Random(m * k, 4), bias = Random(n, 5);
  std::vector<float> y(m * n);
  int64_t next = 0;
  for (auto _ : state) {
    ttt::ops::Linear(x.data(), m, weights[next], bias.data(), y.data());
    benchmark::DoNotOptimize(y.data());
    next = next + 1 == copies ? 0 : next + 1;
  }
  state.SetBytesProcessed(state.iterations() * weight_bytes);
  state.SetLabel(std::string(ttt::DTypeName(dtype)) + (cold ? " cold" : " hot"));
}
void LinearDecodeArgs(benchmark::internal::Benchmark* b) {
  b->ArgNames({"n", "k", "threads", "dtype", "cold", "m"});
  b->Args({64, 64, 1, 0, 0, 1});  // a toy model: threading must not make this slower
  b->Args({64, 64, 2, 0, 0, 1});
  for (int dtype : {0, 2, 3, 5, 6}) {
    for (auto [n, k] : {std::pair<int64_t, int64_t>{1536, 576}, {576, 1536}, {49152, 576}}) {
      for (int threads : {1, 2}) b->Args({n, k, threads, dtype, 1, 1});
    }
    b->Args({1536, 576, 1, dtype, 0, 1});
    for (int threads : {1, 2}) b->Args({1536, 576, threads, dtype, 1, 8});  // 8 sequences' decode (ttt serve)
  }
}
BENCHMARK(BM_LinearDecode)->Apply(LinearDecodeArgs)->UseRealTime()->Unit(benchmark::kMicrosecond);

// The machine's limits beside a figure, measured once per thread count (best of 3): OpenBLAS sgemm's
// GFLOP/s on 1024^3 with `threads` OpenBLAS threads, and the read bandwidth of BM_MemoryReadBandwidth.
struct MachineLimits {
  double sgemm_gflops = 0;
  double read_gbytes = 0;
};
const MachineLimits& Limits(int threads) {
  static MachineLimits limits[3];
  MachineLimits& l = limits[threads];
  if (l.sgemm_gflops > 0) return l;
  const int64_t s = 1024;
  const std::vector<float> a = Random(s * s, 1), b = Random(s * s, 2);
  std::vector<float> c(s * s);
  openblas_set_num_threads(threads);
  const int64_t n = int64_t{256} << 20 >> 2;
  const std::vector<float> buffer = Random(n, 3);
  const ttt::kernels::DotFn dot = ttt::kernels::ActiveKernels().dot_f32;
  for (int rep = 0; rep < 3; ++rep) {
    auto t0 = std::chrono::steady_clock::now();
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, s, s, s, 1.0f, a.data(), s, b.data(), s, 0.0f, c.data(), s);
    auto t1 = std::chrono::steady_clock::now();
    l.sgemm_gflops = std::max(l.sgemm_gflops, 2.0 * s * s * s / std::chrono::duration<double>(t1 - t0).count() / 1e9);
    float total = 0;
#pragma omp parallel num_threads(threads) reduction(+ : total)
    {
      const int64_t id = omp_get_thread_num(), team = omp_get_num_threads();
      const int64_t begin = n * id / team, end = n * (id + 1) / team;
      total += dot(buffer.data() + begin, buffer.data() + begin, end - begin);
    }
    benchmark::DoNotOptimize(total);
    auto t2 = std::chrono::steady_clock::now();
    l.read_gbytes = std::max(l.read_gbytes, 4.0 * n / std::chrono::duration<double>(t2 - t1).count() / 1e9);
  }
  openblas_set_num_threads(1);
  return l;
}

// Batched decode of an f32 weight through ops::Linear, row-major (panels = 0: the dot-product GEMV) or packed
// in panels (1: the panel GEMV, kernel_table.h GemvF32PanelsFn), with GFLOP/s beside the sgemm peak and the
// weight's GB/s beside the read bandwidth (Limits). `cold` as in BM_LinearDecode.
void BM_PanelDecode(benchmark::State& state) {
  const int64_t n = state.range(0), k = state.range(1);
  const int threads = static_cast<int>(state.range(2));
  const bool cold = state.range(3) != 0;
  const int64_t m = state.range(4);
  const bool panels = state.range(5) != 0;
  const MachineLimits limits = Limits(threads);
  UseThreads(threads);
  const std::vector<float> rows = Random(n * k, 7);
  const int64_t bytes = n * k * static_cast<int64_t>(sizeof(float));
  const int64_t copies = cold ? ((int64_t{512} << 20) + bytes - 1) / bytes : 1;
  std::vector<ttt::ops::LinearWeight> weights;
  for (int64_t c = 0; c < copies; ++c) {
    ttt::Tensor values = ttt::Tensor::Empty(ttt::DType::kF32, {n, k});
    if (panels) {
      ttt::kernels::internal::PackF32Panels(rows.data(), n, k, values.data<float>());
    } else {
      std::memcpy(values.raw_data(), rows.data(), bytes);
    }
    weights.push_back(ttt::ops::LinearWeight{.values = values, .row_scale = {}, .more_rows = {}, .panels = panels});
  }
  auto x = Random(m * k, 4);
  std::vector<float> y(m * n);
  int64_t next = 0;
  for (auto _ : state) {
    ttt::ops::Linear(x.data(), m, weights[next], nullptr, y.data());
    benchmark::DoNotOptimize(y.data());
    next = next + 1 == copies ? 0 : next + 1;
  }
  state.SetBytesProcessed(state.iterations() * bytes);
  state.counters["GFLOP/s"] = benchmark::Counter(static_cast<double>(2 * m * n * k) * state.iterations() / 1e9,
                                                 benchmark::Counter::kIsRate);
  state.counters["sgemm_peak_GFLOP/s"] = limits.sgemm_gflops;
  state.counters["read_limit_GB/s"] = limits.read_gbytes;
  state.SetLabel(std::string(panels ? "panels" : "rows") + (cold ? " cold" : " hot"));
}
void PanelDecodeArgs(benchmark::internal::Benchmark* b) {
  b->ArgNames({"n", "k", "threads", "cold", "m", "panels"});
  for (int threads : {1, 2}) {
    for (int64_t m : {1, 2, 4, 8, 15}) {
      for (int panels : {0, 1}) {
        b->Args({1536, 576, threads, 1, m, panels});
        b->Args({1536, 576, threads, 0, m, panels});
      }
    }
    for (int panels : {0, 1}) {
      b->Args({576, 1536, threads, 1, 8, panels});
      b->Args({49152, 576, threads, 1, 8, panels});
    }
  }
}
BENCHMARK(BM_PanelDecode)->Apply(PanelDecodeArgs)->UseRealTime()->Unit(benchmark::kMicrosecond);

// GEMV kernel vs. sgemm (BM_SgemmRows) for a few rows: where the two cross is Linear's kSgemmMinRows.
void BM_GemvRows(benchmark::State& state) {
  const int64_t m = state.range(0), n = 1536, k = 576;
  UseThreads(2);
  ttt::Tensor weight = RandomWeight(n, k);
  auto x = Random(m * k, 6);
  std::vector<float> y(m * n);
  const ttt::kernels::GemvFn gemv = ttt::kernels::ActiveKernels().Gemv(ttt::DType::kF32);
  for (auto _ : state) {
#pragma omp parallel num_threads(2)
    {
      const int64_t id = omp_get_thread_num();
      gemv(x.data(), m, k, weight.raw_data(), k * sizeof(float), n * id / 2, n * (id + 1) / 2, y.data(), n);
    }
    benchmark::DoNotOptimize(y.data());
  }
  state.counters["GFLOP/s"] = benchmark::Counter(static_cast<double>(2 * m * n * k) * state.iterations() / 1e9,
                                                 benchmark::Counter::kIsRate);
}
BENCHMARK(BM_GemvRows)->DenseRange(1, 16, 1)->UseRealTime()->Unit(benchmark::kMicrosecond);


// One decode step of attention (SmolLM-135M geometry: 9 query heads, 3 kv heads, head_dim 64) over a KV
// cache of kv_len positions; bytes/s counts K and V read once.
void BM_AttentionDecode(benchmark::State& state) {
  const int64_t kv_len = state.range(0);
  UseThreads(static_cast<int>(state.range(1)));
  ttt::ops::AttentionParams params;
  params.num_heads = 9;
  params.num_kv_heads = 3;
  params.head_dim = 64;
  params.scale = 0.125f;
  const int64_t stride = params.num_kv_heads * params.head_dim;
  auto q = Random(params.num_heads * params.head_dim, 8);
  auto k = Random(kv_len * stride, 9), v = Random(kv_len * stride, 10);
  std::vector<float> out(q.size());
  for (auto _ : state) {
    ttt::ops::Attention(q.data(), 1, kv_len - 1, k.data(), v.data(), kv_len, stride, out.data(), params);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(state.iterations() * 2 * kv_len * stride * static_cast<int64_t>(sizeof(float)));
}
BENCHMARK(BM_AttentionDecode)
    ->ArgNames({"kv_len", "threads"})
    ->Args({64, 1})  // the short contexts of `ttt bench -p 0 -n 64`
    ->Args({64, 2})
    ->Args({512, 1})
    ->Args({512, 2})
    ->Args({8192, 1})
    ->Args({8192, 2})
    ->UseRealTime()
    ->Unit(benchmark::kMicrosecond);

// The same decode step over a KV cache stored as f32 (0), bf16 (1) or bfp8 (2); bytes/s counts the cache's
// own bytes of K and V read once.
void BM_AttentionDecodeKvDtype(benchmark::State& state) {
  const int64_t kv_len = state.range(0);
  const ttt::DType dtype = state.range(1) == 0   ? ttt::DType::kF32
                           : state.range(1) == 1 ? ttt::DType::kBF16
                                                 : ttt::DType::kBFP8;
  UseThreads(1);
  ttt::ops::AttentionParams params;
  params.num_heads = 9;
  params.num_kv_heads = 3;
  params.head_dim = 64;
  params.scale = 0.125f;
  const int64_t kv_dim = params.num_kv_heads * params.head_dim;
  const int64_t row_bytes = static_cast<int64_t>(ttt::StorageBytes(dtype, kv_dim));
  auto q = Random(params.num_heads * params.head_dim, 8);
  auto kf = Random(kv_len * kv_dim, 9), vf = Random(kv_len * kv_dim, 10);
  std::vector<char> k(kv_len * row_bytes), v(kv_len * row_bytes);
  for (int64_t j = 0; j < kv_len; ++j) {
    ttt::ConvertFromF32(kf.data() + j * kv_dim, kv_dim, dtype, k.data() + j * row_bytes);
    ttt::ConvertFromF32(vf.data() + j * kv_dim, kv_dim, dtype, v.data() + j * row_bytes);
  }
  std::vector<float> work(ttt::ops::AttentionWorkFloats(params, kv_len, dtype, 1));
  std::vector<float> out(q.size());
  for (auto _ : state) {
    ttt::ops::Attention(q.data(), 1, kv_len - 1, {k.data(), dtype, row_bytes}, {v.data(), dtype, row_bytes}, kv_len,
                        out.data(), params, absl::MakeSpan(work));
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(state.iterations() * 2 * kv_len * row_bytes);
}
BENCHMARK(BM_AttentionDecodeKvDtype)
    ->ArgNames({"kv_len", "dtype"})
    ->ArgsProduct({{512, 8192}, {0, 1, 2}})
    ->UseRealTime()
    ->Unit(benchmark::kMicrosecond);

// Prefill attention: tokens queries against themselves, causal.
void BM_AttentionPrefill(benchmark::State& state) {
  const int64_t tokens = state.range(0);
  UseThreads(2);
  ttt::ops::AttentionParams params;
  params.num_heads = 9;
  params.num_kv_heads = 3;
  params.head_dim = 64;
  params.scale = 0.125f;
  const int64_t stride = params.num_kv_heads * params.head_dim;
  auto q = Random(tokens * params.num_heads * params.head_dim, 11);
  auto k = Random(tokens * stride, 12), v = Random(tokens * stride, 13);
  std::vector<float> out(q.size());
  for (auto _ : state) {
    ttt::ops::Attention(q.data(), tokens, 0, k.data(), v.data(), tokens, stride, out.data(), params);
    benchmark::DoNotOptimize(out.data());
  }
  // Causal: about tokens^2 / 2 query-key pairs per head, 4 flops per pair and dimension (dot + weighted sum).
  state.counters["GFLOP/s"] = benchmark::Counter(
      2.0 * tokens * tokens * params.num_heads * params.head_dim * state.iterations() / 1e9,
      benchmark::Counter::kIsRate);
}
BENCHMARK(BM_AttentionPrefill)->Arg(512)->Arg(2048)->UseRealTime()->Unit(benchmark::kMillisecond);

// Element-wise and row ops at decode and prefill sizes of SmolLM-135M (hidden 576, intermediate 1536).
void BM_SiluMul(benchmark::State& state) {
  const int64_t n = state.range(0);
  UseThreads(2);
  auto a = Random(n, 14), b = Random(n, 15);
  std::vector<float> out(n);
  for (auto _ : state) {
    ttt::ops::SiluMul(a.data(), b.data(), out.data(), n);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations() * n);
}
BENCHMARK(BM_SiluMul)->Arg(1536)->Arg(512 * 1536)->UseRealTime();

// Logit soft-capping (Gemma 2) over one decode step's logits: Gemma 2's vocabulary (256000) and SmolLM's (49152).
void BM_SoftCap(benchmark::State& state) {
  const int64_t n = state.range(0);
  UseThreads(2);
  auto x = Random(n, 16);
  for (float& v : x) v *= 40.0f;
  std::vector<float> work(n);
  for (auto _ : state) {
    std::memcpy(work.data(), x.data(), n * sizeof(float));
    ttt::ops::SoftCap(work.data(), n, 30.0f);
    benchmark::DoNotOptimize(work.data());
  }
  state.SetItemsProcessed(state.iterations() * n);
}
BENCHMARK(BM_SoftCap)->Arg(49152)->Arg(256000)->UseRealTime()->Unit(benchmark::kMicrosecond);

void BM_RmsNorm(benchmark::State& state) {
  const int64_t rows = state.range(0), dim = 576;
  UseThreads(2);
  auto x = Random(rows * dim, 16), w = Random(dim, 17);
  std::vector<float> out(x.size());
  for (auto _ : state) {
    ttt::ops::RmsNorm(x.data(), w.data(), out.data(), rows, dim, 1e-5f, false);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations() * rows * dim);
}
BENCHMARK(BM_RmsNorm)->Arg(1)->Arg(512)->UseRealTime();


// ops::Linear at prefill (m = 128): sgemm on column slices inside the OpenMP team; compressed weights
// (dtype as in BM_LinearDecode) are decoded tile by tile into f32 first.
void BM_LinearPrefill(benchmark::State& state) {
  const int64_t m = 128, n = state.range(0), k = state.range(1);
  UseThreads(2);
  const auto dtype = static_cast<ttt::DType>(state.range(2));
  auto weight = ttt::ops::QuantizeWeight(RandomWeight(n, k), dtype);
  if (!weight.ok()) {
    state.SkipWithError(std::string(weight.status().message()).c_str());
    return;
  }
  auto x = Random(m * k, 4);
  std::vector<float> y(m * n);
  for (auto _ : state) {
    ttt::ops::Linear(x.data(), m, *weight, nullptr, y.data());
    benchmark::DoNotOptimize(y.data());
  }
  state.counters["GFLOP/s"] = benchmark::Counter(static_cast<double>(2 * m * n * k) * state.iterations() / 1e9,
                                                 benchmark::Counter::kIsRate);
  state.SetLabel(std::string(ttt::DTypeName(dtype)));
}
BENCHMARK(BM_LinearPrefill)
    ->ArgNames({"n", "k", "dtype"})
    ->ArgsProduct({{1536}, {576}, {0, 2, 3, 5, 6}})
    ->Args({576, 1536, 0})
    ->Args({576, 1536, 6})
    ->UseRealTime();

// y[m, n] = x[m, k] W^T through cblas_sgemm directly.
void BM_Sgemm(benchmark::State& state) {
  const int64_t m = state.range(0), n = state.range(1), k = state.range(2);
  ttt::SetNumThreads(static_cast<int>(state.range(3)));
  openblas_set_num_threads(static_cast<int>(state.range(3)));  // OpenBLAS's own pool
  auto x = Random(m * k, 2), w = Random(n * k, 3);
  std::vector<float> y(m * n);
  for (auto _ : state) {
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, static_cast<int>(m), static_cast<int>(n),
                static_cast<int>(k), 1.0f, x.data(), static_cast<int>(k), w.data(), static_cast<int>(k), 0.0f,
                y.data(), static_cast<int>(n));
    benchmark::DoNotOptimize(y.data());
  }
  state.counters["GFLOP/s"] = benchmark::Counter(static_cast<double>(2 * m * n * k) * state.iterations() / 1e9,
                                                 benchmark::Counter::kIsRate);
}
BENCHMARK(BM_Sgemm)
    ->ArgNames({"m", "n", "k", "threads"})
    ->Args({1024, 1024, 1024, 1})
    ->Args({1024, 1024, 1024, 2})
    ->Args({128, 1536, 576, 2})
    ->Args({128, 576, 1536, 2})
    ->UseRealTime()
    ->Unit(benchmark::kMicrosecond);

void BM_SgemmRows(benchmark::State& state) {
  const int64_t m = state.range(0), n = 1536, k = 576;
  ttt::SetNumThreads(2);
  openblas_set_num_threads(2);  // OpenBLAS's own pool
  auto x = Random(m * k, 6), w = Random(n * k, 7);
  std::vector<float> y(m * n);
  for (auto _ : state) {
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, static_cast<int>(m), static_cast<int>(n),
                static_cast<int>(k), 1.0f, x.data(), static_cast<int>(k), w.data(), static_cast<int>(k), 0.0f,
                y.data(), static_cast<int>(n));
    benchmark::DoNotOptimize(y.data());
  }
  state.counters["GFLOP/s"] = benchmark::Counter(static_cast<double>(2 * m * n * k) * state.iterations() / 1e9,
                                                 benchmark::Counter::kIsRate);
}
BENCHMARK(BM_SgemmRows)->DenseRange(1, 16, 1)->UseRealTime()->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
