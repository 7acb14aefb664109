#include "core/runtime/tensor.h"

#include <sys/mman.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <optional>

#include "core/runtime/check.h"
#include "core/runtime/checked_size.h"
#include "core/runtime/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace ttt {

namespace {

// Tensors of at least one huge page start on a huge-page boundary and ask the kernel for transparent huge
// pages (Linux's default THP mode is "madvise"; where THP is off, madvise fails and nothing changes).
// Decoding streams every weight from DRAM once per token; with 4 KiB pages every 4 KiB costs a TLB miss and
// a page walk, which the hardware prefetchers do not cross (measured on an AMD EPYC (Zen 5), 2 threads, a
// 226 MB bf16 GEMV from DRAM: 52.8 -> 64-67 GB/s; f32 within noise). The size is not rounded up: the last partial
// huge page stays in 4 KiB pages rather than waste up to 2 MiB per tensor.
constexpr size_t kHugePage = Storage::kHugePageBytes;
constexpr size_t kPage = 4096;

size_t RoundUp(size_t bytes, size_t multiple) { return (bytes + multiple - 1) / multiple * multiple; }

// `rounded` zeroed bytes at `alignment`; with `huge`, asked for as transparent huge pages before the first
// touch (the madvise covers whole 4 KiB pages).
void* AllocateZeroed(size_t rounded, size_t alignment, bool huge) {
  // posix_memalign, not aligned_alloc: C11's aligned_alloc wants the size a multiple of the alignment, and a
  // tensor of 2.1 MiB aligned to a 2 MiB huge page is not one (AddressSanitizer reports it).
  void* data = nullptr;
  TTT_CHECK(::posix_memalign(&data, alignment, rounded) == 0) << "out of memory allocating " << rounded << " bytes";
  if (huge) ::madvise(data, RoundUp(rounded, kPage), MADV_HUGEPAGE);
  std::memset(data, 0, rounded);
  return data;
}

}  // namespace

std::shared_ptr<Storage> Storage::Allocate(size_t bytes) {
  const bool huge = bytes >= kHugePage;
  const size_t rounded = std::max(RoundUp(bytes, kTensorAlignment), kTensorAlignment);
  void* data = AllocateZeroed(rounded, huge ? kHugePage : kTensorAlignment, huge);
  return std::shared_ptr<Storage>(new Storage(data, bytes, /*owned=*/true, nullptr));
}

std::shared_ptr<Storage> Storage::AllocateHugePages(size_t bytes) {
  const size_t rounded = std::max(RoundUp(bytes, kHugePage), kHugePage);
  return std::shared_ptr<Storage>(new Storage(AllocateZeroed(rounded, kHugePage, true), rounded, /*owned=*/true, nullptr));
}

std::shared_ptr<Storage> Storage::Borrow(void* data, size_t bytes, std::shared_ptr<const void> owner) {
  return std::shared_ptr<Storage>(new Storage(data, bytes, /*owned=*/false, std::move(owner)));
}

Storage::~Storage() {
  if (owned_) std::free(data_);
}

int64_t NumElements(const Shape& shape) {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

size_t TensorBytes(DType dtype, const Shape& shape) {
  if (!IsBlockFormat(dtype) || shape.empty()) return StorageBytes(dtype, NumElements(shape));
  int64_t cols = shape.back();
  return StorageBytes(dtype, cols) * static_cast<size_t>(cols == 0 ? 0 : NumElements(shape) / cols);
}

absl::StatusOr<size_t> CheckedTensorBytes(DType dtype, const Shape& shape) {
  // Shapes read from files may hold anything: every product is checked before it is made (issue 20). Zero
  // dimensions count as 1: an empty tensor whose other dimensions multiply past 2^63 holds nothing, but its
  // strides and partial products would still overflow (found by gguf_fuzz, session 20).
  uint64_t spanned = 1;
  for (int64_t d : shape) {
    const std::optional<uint64_t> span =
        d < 0 ? std::nullopt : CheckedMul(spanned, static_cast<uint64_t>(std::max<int64_t>(d, 1)));
    if (!span) {
      return absl::InvalidArgumentError(absl::StrCat("tensor shape ", ShapeString(shape),
                                                     " has a negative dimension or more than 2^64 elements"));
    }
    spanned = *span;
  }
  // Below the limit, nothing of TensorBytes can overflow: a block format pads each row by less than one
  // block of at most 32 values, and no format stores more than 8 bytes per value.
  if (spanned > static_cast<uint64_t>(kMaxTensorElements)) {
    return absl::InvalidArgumentError(absl::StrCat("tensor shape ", ShapeString(shape), " spans ", spanned,
                                                   " elements, more than the 2^38 a tensor may have here; the "
                                                   "file is corrupt or not what it claims to be"));
  }
  return TensorBytes(dtype, shape);
}

std::string ShapeString(const Shape& shape) { return absl::StrCat("[", absl::StrJoin(shape, ", "), "]"); }

namespace {
Shape ContiguousStrides(const Shape& shape) {
  Shape strides(shape.size());
  int64_t s = 1;
  for (int i = static_cast<int>(shape.size()) - 1; i >= 0; --i) {
    strides[i] = s;
    s *= shape[i];
  }
  return strides;
}
}  // namespace

Tensor Tensor::Empty(DType dtype, Shape shape) {
  Tensor t;
  t.dtype_ = dtype;
  t.strides_ = ContiguousStrides(shape);
  t.shape_ = std::move(shape);
  t.storage_ = Storage::Allocate(TensorBytes(dtype, t.shape_));
  return t;
}

Tensor Tensor::FromF32(Shape shape, absl::Span<const float> values) {
  TTT_CHECK_EQ(NumElements(shape), static_cast<int64_t>(values.size())) << "FromF32: shape and values disagree";
  Tensor t = Empty(DType::kF32, std::move(shape));
  if (!values.empty()) std::memcpy(t.raw_data(), values.data(), values.size() * sizeof(float));  // data() may be null
  return t;
}

absl::StatusOr<Tensor> Tensor::View(std::shared_ptr<Storage> storage, size_t byte_offset, DType dtype,
                                    Shape shape) {
  TTT_ASSIGN_OR_RETURN(const size_t bytes, CheckedTensorBytes(dtype, shape));
  if (byte_offset > storage->size() || bytes > storage->size() - byte_offset) {
    return absl::OutOfRangeError(absl::StrCat(
        "tensor view of ", bytes, " bytes at offset ", byte_offset, " runs past the end of its ",
        storage->size(), "-byte storage: the file is truncated or its header is wrong"));
  }
  Tensor t;
  t.storage_ = std::move(storage);
  t.byte_offset_ = byte_offset;
  t.dtype_ = dtype;
  t.strides_ = ContiguousStrides(shape);
  t.shape_ = std::move(shape);
  return t;
}

int64_t Tensor::numel() const { return NumElements(shape_); }

size_t Tensor::nbytes() const { return TensorBytes(dtype_, shape_); }

bool Tensor::is_contiguous() const { return strides_ == ContiguousStrides(shape_); }

Tensor Tensor::Slice(int dim, int64_t start, int64_t length) const {
  if (dim < 0) dim += rank();
  TTT_CHECK(dim >= 0 && dim < rank() && start >= 0 && length >= 0 && start + length <= shape_[dim])
      << "Slice(" << dim << ", " << start << ", " << length << ") out of range for " << ShapeString(shape_);
  Tensor t = *this;
  t.shape_[dim] = length;
  if (IsBlockFormat(dtype_)) {
    TTT_CHECK(is_contiguous() && (dim < rank() - 1 || start % kBfpBlockSize == 0))
        << "block-format tensors slice only contiguous rows or whole blocks of a row";
    if (dim == rank() - 1) {
      t.byte_offset_ += StorageBytes(dtype_, start);
    } else {
      int64_t rows_per_index = 1;
      for (int i = dim + 1; i < rank() - 1; ++i) rows_per_index *= shape_[i];
      t.byte_offset_ += static_cast<size_t>(start * rows_per_index) * StorageBytes(dtype_, shape_.back());
    }
  } else {
    t.byte_offset_ += static_cast<size_t>(start * strides_[dim]) * ElementSize(dtype_);
  }
  return t;
}

Tensor Tensor::Row(int64_t i) const {
  Tensor t = Slice(0, i, 1);
  t.shape_.erase(t.shape_.begin());
  t.strides_.erase(t.strides_.begin());
  return t;
}

absl::StatusOr<Tensor> Tensor::Reshape(Shape shape) const {
  if (NumElements(shape) != numel()) {
    return absl::InvalidArgumentError(absl::StrCat("cannot reshape ", ShapeString(shape_), " (", numel(),
                                                   " elements) to ", ShapeString(shape)));
  }
  if (!is_contiguous()) {
    return absl::FailedPreconditionError("Reshape needs a contiguous tensor: call Contiguous() first");
  }
  Tensor t = *this;
  t.strides_ = ContiguousStrides(shape);
  t.shape_ = std::move(shape);
  return t;
}

Tensor Tensor::Transpose(int a, int b) const {
  TTT_CHECK(!IsBlockFormat(dtype_)) << "block-format tensors cannot be transposed in place";
  Tensor t = *this;
  std::swap(t.shape_[a], t.shape_[b]);
  std::swap(t.strides_[a], t.strides_[b]);
  return t;
}

Tensor Tensor::Contiguous() const {
  if (is_contiguous()) {
    Tensor out = Empty(dtype_, shape_);
    std::memcpy(out.raw_data(), raw_data(), nbytes());
    return out;
  }
  TTT_CHECK(!IsBlockFormat(dtype_));
  Tensor out = Empty(dtype_, shape_);
  size_t es = ElementSize(dtype_);
  int64_t n = numel();
  Shape index(shape_.size(), 0);
  const char* src = static_cast<const char*>(raw_data());
  char* dst = static_cast<char*>(out.raw_data());
  for (int64_t linear = 0; linear < n; ++linear) {
    int64_t offset = 0;
    for (int d = 0; d < rank(); ++d) offset += index[d] * strides_[d];
    std::memcpy(dst + linear * es, src + offset * es, es);
    for (int d = rank() - 1; d >= 0; --d) {
      if (++index[d] < shape_[d]) break;
      index[d] = 0;
    }
  }
  return out;
}

std::vector<float> Tensor::ToF32() const {
  Tensor c = is_contiguous() ? *this : Contiguous();
  std::vector<float> out(static_cast<size_t>(numel()));
  int64_t cols = rank() == 0 ? 1 : shape_.back();
  if (cols == 0) return out;
  size_t row_bytes = StorageBytes(dtype_, cols);
  for (int64_t r = 0, rows = numel() / cols; r < rows; ++r) {
    ConvertToF32(static_cast<const char*>(c.raw_data()) + r * row_bytes, cols, dtype_, out.data() + r * cols);
  }
  return out;
}

Tensor Tensor::To(DType dtype) const {
  std::vector<float> values = ToF32();
  Tensor out = Empty(dtype, shape_);
  int64_t cols = rank() == 0 ? 1 : shape_.back();
  if (cols == 0) return out;
  size_t row_bytes = StorageBytes(dtype, cols);
  for (int64_t r = 0, rows = numel() / cols; r < rows; ++r) {
    ConvertFromF32(values.data() + r * cols, cols, dtype, static_cast<char*>(out.raw_data()) + r * row_bytes);
  }
  return out;
}

std::string Tensor::DebugString() const {
  return absl::StrCat("Tensor(", DTypeName(dtype_), ShapeString(shape_), ")");
}

}  // namespace ttt
