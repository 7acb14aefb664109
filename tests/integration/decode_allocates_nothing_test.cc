// Decoding allocates nothing: every buffer a decode step uses is planned and allocated by NewState
// (core/patterns/memory_plan.h). This binary replaces the global operator new with a counting one, so it
// runs on its own (tests/CMakeLists.txt), and counts the allocations of N decode steps after one warm-up
// step (the prompt's prefill and one decode step run before counting starts, so that one-time lazy state
// of the runtimes -- OpenMP's thread team, OpenBLAS's buffers -- is not counted). Only C++ operator new is
// counted: malloc calls inside OpenBLAS or libgomp (C code) are not seen.
#include <atomic>
#include <cstdlib>
#include <new>

#include "tests/integration/fixture_util.h"

namespace {
std::atomic<bool> g_counting{false};
std::atomic<int64_t> g_allocations{0};

void* CountedAlloc(std::size_t size, std::size_t align) {
  if (g_counting.load(std::memory_order_relaxed)) g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (size == 0) size = 1;
  void* p = align > alignof(std::max_align_t) ? std::aligned_alloc(align, (size + align - 1) / align * align)
                                               : std::malloc(size);
  return p;
}
}  // namespace

void* operator new(std::size_t size) {
  void* p = CountedAlloc(size, 0);
  if (p == nullptr) throw std::bad_alloc();
  return p;
}
void* operator new[](std::size_t size) { return operator new(size); }
void* operator new(std::size_t size, std::align_val_t align) {
  void* p = CountedAlloc(size, static_cast<std::size_t>(align));
  if (p == nullptr) throw std::bad_alloc();
  return p;
}
void* operator new[](std::size_t size, std::align_val_t align) { return operator new(size, align); }
void* operator new(std::size_t size, const std::nothrow_t&) noexcept { return CountedAlloc(size, 0); }
void* operator new[](std::size_t size, const std::nothrow_t&) noexcept { return CountedAlloc(size, 0); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }

namespace ttt::testing {
namespace {

struct AllocCase {
  const char* name;
  const char* model;
  DType weights;
  DType kv;
  int64_t batch;
};

void PrintTo(const AllocCase& c, std::ostream* os) { *os << c.name; }

class DecodeAllocatesNothingTest : public ::testing::TestWithParam<AllocCase> {};

TEST_P(DecodeAllocatesNothingTest, DecodeStepsAllocateNothing) {
  const AllocCase& c = GetParam();
  BuildOptions options;
  options.linear_weight_dtype = c.weights;
  options.kv_cache_dtype = c.kv;
  auto loaded = LoadModel(Fixture(c.model), "", /*require_tokenizer=*/false, options);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  const CausalLm& model = *loaded->model;
  const int64_t vocab = model.vocab_size(), steps = 40, prompt = 20;
  auto state = model.NewState(c.batch, prompt + steps + 24, /*prefill_chunk=*/32);
  ASSERT_TRUE(state.ok()) << state.status();
  std::printf("[%s] %s", c.name, (*state)->plan().DebugString().c_str());

  std::vector<int32_t> tokens(prompt), slots(c.batch), next(c.batch);
  for (int64_t i = 0; i < prompt; ++i) tokens[i] = static_cast<int32_t>((i * 37 + 1) % vocab);
  std::vector<float> logits(c.batch * vocab);
  for (int64_t b = 0; b < c.batch; ++b) {
    slots[b] = static_cast<int32_t>(b);
    ASSERT_TRUE(model.Prefill(**state, b, tokens, logits.data(), false).ok());
  }
  auto step = [&](int64_t i) {
    for (int64_t b = 0; b < c.batch; ++b) next[b] = static_cast<int32_t>((i * 13 + b * 7 + 3) % vocab);
    return model.Decode(**state, slots, next, logits.data());
  };
  ASSERT_TRUE(step(0).ok());  // warm-up: OpenMP team state

  g_allocations = 0;
  g_counting = true;
  bool ok = true;
  for (int64_t i = 1; i < steps && ok; ++i) ok = step(i).ok();
  // A prefill within the planned chunk allocates nothing either: one token (kernel path) and 20 (sgemm path).
  ok = ok && model.Prefill(**state, 0, absl::MakeConstSpan(tokens.data(), 1), logits.data(), false).ok();
  ok = ok && model.Prefill(**state, 0, absl::MakeConstSpan(tokens.data(), 20), logits.data(), false).ok();
  g_counting = false;
  ASSERT_TRUE(ok);
  EXPECT_EQ(g_allocations.load(), 0) << "allocations in " << steps - 1 << " decode steps";
}

// The counter itself sees allocations (else every test above would pass vacuously).
TEST(CountingOperatorNew, SeesAllocations) {
  g_allocations = 0;
  g_counting = true;
  auto* v = new std::vector<int>(100);
  g_counting = false;
  delete v;
  EXPECT_EQ(g_allocations.load(), 2);
}

INSTANTIATE_TEST_SUITE_P(
    Fixtures, DecodeAllocatesNothingTest,
    ::testing::Values(
        AllocCase{"stories_f32_kvf32", "stories260K/stories260K.bin", DType::kF32, DType::kF32, 1},
        AllocCase{"stories_f32_kvbf16", "stories260K/stories260K.bin", DType::kF32, DType::kBF16, 1},
        AllocCase{"stories_bfp8_kvbfp8", "stories260K/stories260K.bin", DType::kBFP8, DType::kBFP8, 1},
        AllocCase{"gqa_f32_kvf32_batch2", "llama-gqa-tiny/model-f32.gguf", DType::kF32, DType::kF32, 2},
        AllocCase{"gqa_i8_kvbf16", "llama-gqa-tiny/model-f32.gguf", DType::kI8, DType::kBF16, 1},
        AllocCase{"gqa_bfp4_kvbfp8_batch2", "llama-gqa-tiny/model-f32.gguf", DType::kBFP4, DType::kBFP8, 2},
        AllocCase{"moe_f32_batch2", "mixtral-tiny/model-f32.gguf", DType::kF32, DType::kF32, 2},
        AllocCase{"gpt2_bf16_kvbfp8", "gpt2-tiny/hf", DType::kBF16, DType::kBFP8, 1}),
    [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace ttt::testing
