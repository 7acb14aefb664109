// Sizes that come from files. Every count, length, offset and dimension read from a file (which may come
// from a stranger) goes through these before it sizes an allocation or a view: sums and products that
// report overflow instead of wrapping (or, for signed types, being undefined), a range check that cannot
// overflow, and the limits the loaders enforce with a message before they allocate anything (issue 20).
#pragma once

#include <cstdint>
#include <optional>

namespace ttt {

// a + b and a * b, or nullopt when the result does not fit in 64 bits.
inline std::optional<uint64_t> CheckedAdd(uint64_t a, uint64_t b) {
  uint64_t r;
  if (__builtin_add_overflow(a, b, &r)) return std::nullopt;
  return r;
}
inline std::optional<uint64_t> CheckedMul(uint64_t a, uint64_t b) {
  uint64_t r;
  if (__builtin_mul_overflow(a, b, &r)) return std::nullopt;
  return r;
}

// Whether [offset, offset + bytes) lies inside `size` bytes (written so that nothing can overflow).
inline bool RangeWithin(uint64_t offset, uint64_t bytes, uint64_t size) {
  return offset <= size && bytes <= size - offset;
}

// Limits on what a file may claim. Each is far above what real models use, and far below what would make
// an allocation fail: a file claiming more is refused before anything is allocated for it.
inline constexpr int64_t kMaxVocabSize = int64_t{1} << 24;       // 16.8M pieces; real vocabularies: <= 262k
inline constexpr int64_t kMaxContextLength = int64_t{1} << 24;   // 16.8M tokens; real contexts: <= 10M
inline constexpr int64_t kMaxTensorElements = int64_t{1} << 38;  // 2.7e11; the largest real tensors hold ~4e9

}  // namespace ttt
