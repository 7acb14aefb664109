#include "core/runtime/trace.h"
#include "core/runtime/trace_mute.h"

#include <chrono>
#include <memory>
#include <mutex>

namespace ttt::trace {
namespace internal {
std::atomic<bool> g_recording{false};
thread_local bool t_muted = false;  // ScopedMute
}  // namespace internal

namespace {

constexpr int kMaxDepth = 32;

struct ThreadBuffer {
  std::vector<Event> events;
  int32_t stack[kMaxDepth];
  int depth = 0;
  int32_t thread = 0;
  size_t capacity = 0;  // events.capacity() may be larger after a bigger earlier recording
};

struct Registry {
  std::mutex mu;
  std::vector<std::unique_ptr<ThreadBuffer>> buffers;  // never freed: threads keep pointers to theirs
  int64_t capacity = int64_t{1} << 20;
  std::atomic<int64_t> dropped{0};
};

Registry& GetRegistry() {
  static Registry* registry = new Registry();  // leaked on purpose: threads may record during exit
  return *registry;
}

thread_local ThreadBuffer* t_buffer = nullptr;

ThreadBuffer* RegisterThread() {
  Registry& r = GetRegistry();
  std::lock_guard<std::mutex> lock(r.mu);
  auto buffer = std::make_unique<ThreadBuffer>();
  buffer->thread = static_cast<int32_t>(r.buffers.size());
  buffer->capacity = static_cast<size_t>(r.capacity);
  buffer->events.reserve(buffer->capacity);
  t_buffer = buffer.get();
  r.buffers.push_back(std::move(buffer));
  return t_buffer;
}

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

namespace internal {

int32_t Begin(Level level, const char* name, int64_t rows, double bytes, double flops, double weight_bytes,
              int weight_dtype, int layer, std::optional<Phase> phase) {
  if (t_muted) return -1;
  ThreadBuffer* b = t_buffer != nullptr ? t_buffer : RegisterThread();
  // A full buffer never grows (that would allocate and move events mid-run): the event is dropped.
  if (b->events.size() >= b->capacity || b->depth >= kMaxDepth) {
    GetRegistry().dropped.fetch_add(1, std::memory_order_relaxed);
    return -1;
  }
  Event e;
  e.name = name;
  e.level = level;
  e.rows = rows;
  e.bytes = bytes;
  e.flops = flops;
  e.weight_bytes = weight_bytes;
  e.weight_dtype = static_cast<int8_t>(weight_dtype);
  e.thread = b->thread;
  e.depth = static_cast<uint8_t>(b->depth);
  e.layer = layer;
  e.phase = phase;
  if (b->depth > 0) {
    const int32_t parent = b->stack[b->depth - 1];
    const Event& p = b->events[parent];
    e.parent = parent;
    if (e.layer < 0) e.layer = p.layer;
    if (!e.phase) e.phase = p.phase;
  }
  const auto index = static_cast<int32_t>(b->events.size());
  b->stack[b->depth++] = index;
  e.start_ns = NowNs();
  b->events.push_back(e);
  return index;
}

void End(int32_t index) {
  const int64_t now = NowNs();
  ThreadBuffer* b = t_buffer;
  if (b == nullptr || index >= static_cast<int32_t>(b->events.size())) return;  // cleared mid-scope
  b->events[index].end_ns = now;
  if (b->depth > 0 && b->stack[b->depth - 1] == index) --b->depth;
}

}  // namespace internal

void StartRecording(int64_t capacity_per_thread) {
  Registry& r = GetRegistry();
  {
    std::lock_guard<std::mutex> lock(r.mu);
    r.capacity = capacity_per_thread > 0 ? capacity_per_thread : 1;
    for (auto& b : r.buffers) {
      b->events.clear();
      b->capacity = static_cast<size_t>(r.capacity);
      b->events.reserve(b->capacity);
      b->depth = 0;
    }
    r.dropped.store(0);
  }
  if (t_buffer == nullptr) RegisterThread();
  internal::g_recording.store(true, std::memory_order_relaxed);
}

void StopRecording() { internal::g_recording.store(false, std::memory_order_relaxed); }

std::vector<Event> Collect() {
  Registry& r = GetRegistry();
  std::lock_guard<std::mutex> lock(r.mu);
  std::vector<Event> all;
  for (const auto& b : r.buffers) {
    const auto offset = static_cast<int32_t>(all.size());
    for (Event e : b->events) {
      if (e.parent >= 0) e.parent += offset;
      all.push_back(e);
    }
  }
  return all;
}

int64_t Dropped() { return GetRegistry().dropped.load(); }

ScopedMute::ScopedMute() : previous_(internal::t_muted) { internal::t_muted = true; }
ScopedMute::~ScopedMute() { internal::t_muted = previous_; }

}  // namespace ttt::trace
