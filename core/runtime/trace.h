// Instrumentation scopes for the profiler: a step (one prefill chunk or one decode step) holds layers, a
// layer holds modules (attention, mlp, norm, ...), a module holds ops (wqkv, sdpa, ff1_3, ...), each op
// with the bytes it moves and the FLOPs it does, computed from shapes and dtypes.
//
// Why it lives in runtime: blocks, patterns and ops are instrumented, and runtime is the layer they all may
// use. The profiler that analyses the records (core/profiler) sits above them.
//
// Cost when recording is off: one relaxed load of a global flag per scope. No clock read, no allocation,
// and the byte/FLOP expressions are not evaluated. When on, a scope reads the steady clock twice and writes
// one Event into a buffer preallocated per thread by StartRecording (other threads allocate theirs once, on
// their first scope). The thread that runs a block records its scopes; an op's worker threads record only
// their share of it (Level::kWorker, core/ops/internal/parallel.h), for the Chrome trace's per-thread tracks.
//
//   void Mlp::Forward(...) const {
//     TTT_TRACE_MODULE("mlp");                                  // until the end of the enclosing block
//     TTT_TRACE_LINEAR("ff1_3", up_, rows) up_.Forward(x, rows, up);   // just this statement
//     TTT_TRACE_OP("activation", bytes, flops) for (...) { ... };       // just this statement
//   }
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>
#include <vector>

#include "core/runtime/phase.h"

namespace ttt::trace {

// kWorker: a worker thread's share of an op. The profile's tables skip it (the op's scope on the calling
// thread carries the op's time, bytes and FLOPs); the Chrome trace shows it on the worker's track.
enum class Level : uint8_t { kStep = 0, kLayer = 1, kModule = 2, kOp = 3, kWorker = 4 };

// One finished (or, if the buffer is read while it runs, unfinished: end_ns == 0) scope.
struct Event {
  const char* name = nullptr;  // a string literal
  Level level = Level::kOp;
  std::optional<Phase> phase;  // of the enclosing step; none outside steps
  int8_t weight_dtype = -1;    // ttt::DType of the op's weight, -1 when it has none
  uint8_t depth = 0;           // nesting depth on its thread
  int32_t layer = -1;          // of the enclosing layer scope; -1 outside layers (embedding, head)
  int32_t parent = -1;         // index of the enclosing scope's event (see Collect), -1 for none
  int32_t thread = 0;          // recording thread, numbered from 0 in order of first use
  int64_t rows = 0;            // tokens (prefill) or sequences (decode) the scope processed; 0 = unknown
  int64_t start_ns = 0, end_ns = 0;  // steady clock
  double bytes = 0;            // moved to and from memory (weights, activations, KV cache)
  double flops = 0;            // 2 per multiply-add
  double weight_bytes = 0;     // the part of `bytes` that is weights
};

namespace internal {
extern std::atomic<bool> g_recording;
// Opens a scope; returns its event index on this thread, or -1 when the buffer is full (counted as dropped).
int32_t Begin(Level level, const char* name, int64_t rows, double bytes, double flops, double weight_bytes,
              int weight_dtype, int layer, std::optional<Phase> phase);
void End(int32_t index);
}  // namespace internal

inline bool Recording() { return internal::g_recording.load(std::memory_order_relaxed); }

// Clears all buffers and starts recording, with room for `capacity_per_thread` events on each thread.
void StartRecording(int64_t capacity_per_thread = int64_t{1} << 20);
void StopRecording();
// The events of every thread, thread after thread, each thread's in order of their start; `parent` indexes
// the returned vector. Call after StopRecording.
std::vector<Event> Collect();
// Events that did not fit the buffers since StartRecording.
int64_t Dropped();

// An open scope; closes on destruction. Holds -1 when not recording.
class Scope {
 public:
  explicit Scope(int32_t index) : index_(index) {}
  ~Scope() {
    if (index_ >= 0) internal::End(index_);
  }
  Scope(const Scope&) = delete;
  Scope& operator=(const Scope&) = delete;
  // Lets TTT_TRACE_OP/TTT_TRACE_LINEAR scope exactly the statement that follows them.
  bool Once() { return !done_ && (done_ = true); }

 private:
  int32_t index_;
  bool done_ = false;
};

// Bytes and FLOPs of y[m, n] = x[m, k] W^T with f32 activations: the weight once, x read, y written.
inline double LinearBytes(int64_t m, int64_t n, int64_t k, int64_t weight_bytes) {
  return static_cast<double>(weight_bytes) + 4.0 * static_cast<double>(m) * static_cast<double>(k + n);
}
inline double LinearFlops(int64_t m, int64_t n, int64_t k) {
  return 2.0 * static_cast<double>(m) * static_cast<double>(n) * static_cast<double>(k);
}

// FLOPs of causal attention of `tokens` queries at positions pos0.. over keys 0..position (QK^T and PV,
// 2 * head_dim each per query, key and head). A sliding window makes the true count smaller.
inline double AttentionFlops(int64_t tokens, int64_t pos0, int64_t heads, int64_t head_dim) {
  const double pairs = static_cast<double>(tokens) * (static_cast<double>(pos0) + 0.5 * (tokens + 1));
  return pairs * 4.0 * static_cast<double>(heads) * static_cast<double>(head_dim);
}
// Bytes of that attention: queries read and outputs written (f32), and every visible key and value row
// read once (cache rows of kv_row_bytes each, in the cache's dtype).
inline double AttentionBytes(int64_t tokens, int64_t kv_len, int64_t q_dim, int64_t kv_row_bytes) {
  return 8.0 * static_cast<double>(tokens) * static_cast<double>(q_dim) +
         2.0 * static_cast<double>(kv_len) * static_cast<double>(kv_row_bytes);
}

}  // namespace ttt::trace

#define TTT_TRACE_CAT2(a, b) a##b
#define TTT_TRACE_CAT(a, b) TTT_TRACE_CAT2(a, b)
#define TTT_TRACE_BEGIN(level, name, rows, bytes, flops, wbytes, wdtype, layer, phase)                        \
  (::ttt::trace::Recording() ? ::ttt::trace::internal::Begin(level, name, rows, bytes, flops, wbytes, wdtype, \
                                                               layer, phase)                                  \
                             : -1)

// Declarations: the scope lasts until the end of the enclosing block.
#define TTT_TRACE_STEP(phase, rows)                                                                            \
  ::ttt::trace::Scope TTT_TRACE_CAT(ttt_trace_, __LINE__)(                                                     \
      TTT_TRACE_BEGIN(::ttt::trace::Level::kStep, (phase) == ::ttt::Phase::kPrefill ? "prefill" : "decode", \
                      rows, 0, 0, 0, -1, -1, phase))
#define TTT_TRACE_LAYER(index)                                                                                 \
  ::ttt::trace::Scope TTT_TRACE_CAT(ttt_trace_, __LINE__)(TTT_TRACE_BEGIN(                                      \
      ::ttt::trace::Level::kLayer, "layer", 0, 0, 0, 0, -1, static_cast<int>(index), std::nullopt))
#define TTT_TRACE_MODULE(name)                                                                                 \
  ::ttt::trace::Scope TTT_TRACE_CAT(ttt_trace_, __LINE__)(                                                     \
      TTT_TRACE_BEGIN(::ttt::trace::Level::kModule, name, 0, 0, 0, 0, -1, -1, std::nullopt))

// Statement prefixes: the scope covers exactly the statement that follows.
#define TTT_TRACE_OP(name, rows, bytes, flops)                                                                 \
  for (::ttt::trace::Scope TTT_TRACE_CAT(ttt_trace_, __LINE__)(TTT_TRACE_BEGIN(                                 \
           ::ttt::trace::Level::kOp, name, rows, bytes, flops, 0, -1, -1, std::nullopt));        \
       TTT_TRACE_CAT(ttt_trace_, __LINE__).Once();)
// For a ttt::Linear (anything with weight_bytes(), weight_dtype(), in_features(), out_features()) applied
// to `rows` rows.
#define TTT_TRACE_LINEAR(name, linear, rows)                                                                   \
  for (::ttt::trace::Scope TTT_TRACE_CAT(ttt_trace_, __LINE__)(TTT_TRACE_BEGIN(                                 \
           ::ttt::trace::Level::kOp, name, rows,                                                               \
           ::ttt::trace::LinearBytes(rows, (linear).out_features(), (linear).in_features(),                    \
                                     (linear).weight_bytes()),                                                 \
           ::ttt::trace::LinearFlops(rows, (linear).out_features(), (linear).in_features()),                   \
           static_cast<double>((linear).weight_bytes()), static_cast<int>((linear).weight_dtype()), -1,        \
           std::nullopt));                                                                       \
       TTT_TRACE_CAT(ttt_trace_, __LINE__).Once();)
