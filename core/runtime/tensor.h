// Tensor: a shape, strides (for views), a dtype and storage that is either owned (64-byte aligned) or a
// view into memory someone else keeps alive (a memory-mapped weight file, say).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/inlined_vector.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "core/runtime/dtype.h"

namespace ttt {

using Shape = absl::InlinedVector<int64_t, 4>;

inline constexpr size_t kTensorAlignment = 64;

// Bytes a tensor's elements live in. Owned storage is aligned to kTensorAlignment and zero-filled.
class Storage {
 public:
  static std::shared_ptr<Storage> Allocate(size_t bytes);
  // Like Allocate, but rounded up to whole huge pages, every one of them asked for as a transparent huge
  // page (where THP is available): for data streamed from DRAM on every use, such as decode weights.
  static std::shared_ptr<Storage> AllocateHugePages(size_t bytes);
  static constexpr size_t kHugePageBytes = size_t{2} << 20;
  // Views `bytes` at `data`; `owner` is kept alive as long as the storage is (e.g. a mapped file).
  static std::shared_ptr<Storage> Borrow(void* data, size_t bytes, std::shared_ptr<const void> owner);
  ~Storage();
  Storage(const Storage&) = delete;
  Storage& operator=(const Storage&) = delete;

  void* data() const { return data_; }
  size_t size() const { return size_; }
  bool owned() const { return owned_; }  // false: borrowed, e.g. a mapped file

 private:
  Storage(void* data, size_t size, bool owned, std::shared_ptr<const void> owner)
      : data_(data), size_(size), owned_(owned), owner_(std::move(owner)) {}
  void* data_;
  size_t size_;
  bool owned_;
  std::shared_ptr<const void> owner_;
};

class Tensor {
 public:
  Tensor() = default;

  // A new zero-filled, contiguous tensor.
  static Tensor Empty(DType dtype, Shape shape);
  // A new f32 tensor holding a copy of `values` (their count must equal the shape's).
  static Tensor FromF32(Shape shape, absl::Span<const float> values);
  // A contiguous view of `storage` starting at `byte_offset`; fails if it does not fit.
  static absl::StatusOr<Tensor> View(std::shared_ptr<Storage> storage, size_t byte_offset, DType dtype,
                                     Shape shape);

  bool defined() const { return storage_ != nullptr; }
  DType dtype() const { return dtype_; }
  const Shape& shape() const { return shape_; }
  const Shape& strides() const { return strides_; }  // in elements
  int rank() const { return static_cast<int>(shape_.size()); }
  int64_t dim(int i) const { return shape_[i < 0 ? i + rank() : i]; }
  int64_t numel() const;
  size_t nbytes() const;  // of the elements as stored (block formats pad each row to whole blocks)
  bool is_contiguous() const;
  const std::shared_ptr<Storage>& storage() const { return storage_; }

  void* raw_data() const { return static_cast<char*>(storage_->data()) + byte_offset_; }
  template <typename T>
  T* data() const { return static_cast<T*>(raw_data()); }

  // Views (no copy). Slice along `dim`; block formats may only be sliced on whole blocks of the last dim.
  Tensor Slice(int dim, int64_t start, int64_t length) const;
  // Row `i` of the first dimension, with that dimension dropped.
  Tensor Row(int64_t i) const;
  absl::StatusOr<Tensor> Reshape(Shape shape) const;
  Tensor Transpose(int a, int b) const;

  // Copies.
  Tensor Contiguous() const;
  Tensor To(DType dtype) const;
  std::vector<float> ToF32() const;

  std::string DebugString() const;

 private:
  std::shared_ptr<Storage> storage_;
  size_t byte_offset_ = 0;
  DType dtype_ = DType::kF32;
  Shape shape_;
  Shape strides_;
};

std::string ShapeString(const Shape& shape);
// Bytes of a contiguous tensor; block formats store each row (last dimension) padded to whole blocks.
size_t TensorBytes(DType dtype, const Shape& shape);
int64_t NumElements(const Shape& shape);
// TensorBytes for a shape that came from outside (a file): an error instead of overflow for negative
// dimensions or more than 2^60 bytes.
absl::StatusOr<size_t> CheckedTensorBytes(DType dtype, const Shape& shape);

}  // namespace ttt
