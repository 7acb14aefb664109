// GGUF (llama.cpp's model file): header, metadata key/values and tensor directory, memory-mapped.
// Spec: ggml's docs/gguf.md. Little-endian, version 2 or 3.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "core/runtime/mapped_file.h"
#include "core/runtime/tensor.h"

namespace ttt::formats {

// Metadata value types as numbered in the GGUF spec.
enum class GgufType : uint32_t {
  kU8 = 0, kI8 = 1, kU16 = 2, kI16 = 3, kU32 = 4, kI32 = 5, kF32 = 6, kBool = 7,
  kString = 8, kArray = 9, kU64 = 10, kI64 = 11, kF64 = 12,
};

// ggml tensor types this library reads (others are reported by name in the error).
enum class GgmlType : uint32_t {
  kF32 = 0, kF16 = 1, kQ4_0 = 2, kQ5_0 = 6, kQ8_0 = 8, kQ4_K = 12, kQ5_K = 13, kQ6_K = 14, kIQ4_NL = 20,
  kBF16 = 30,
};

struct GgufTensorInfo {
  std::string name;
  Shape shape;          // row-major: GGUF's ne[] reversed, so a matrix is [rows, cols]
  uint32_t ggml_type;   // raw ggml type id
  uint64_t offset;      // absolute offset of the data in the file
  uint64_t bytes;
};

class GgufFile {
 public:
  // Parses and validates the header, metadata and tensor directory. Every count, length and offset is
  // checked against the file size, so a truncated or hostile file is an error naming the byte offset.
  static absl::StatusOr<std::unique_ptr<GgufFile>> Open(const std::string& path);

  const std::string& path() const;
  uint32_t version() const;
  bool Has(std::string_view key) const;
  std::vector<std::string> Keys() const;
  GgufType TypeOf(std::string_view key) const;  // only valid when Has(key)

  // Typed getters: an absent key or a value of another kind is an error naming the key and its type.
  absl::StatusOr<std::string> GetString(std::string_view key) const;
  absl::StatusOr<int64_t> GetInt(std::string_view key) const;   // any integer type (and bool)
  absl::StatusOr<double> GetFloat(std::string_view key) const;  // any numeric type
  absl::StatusOr<bool> GetBool(std::string_view key) const;
  absl::StatusOr<std::vector<std::string>> GetStringArray(std::string_view key) const;
  absl::StatusOr<std::vector<int64_t>> GetIntArray(std::string_view key) const;
  absl::StatusOr<std::vector<double>> GetFloatArray(std::string_view key) const;

  const std::vector<GgufTensorInfo>& tensors() const;
  const GgufTensorInfo* FindTensor(std::string_view name) const;
  // Zero-copy views of the mapped file: F32/F16/BF16 as those dtypes, the quantised types as ttt's ggml
  // block dtypes (DType::kQ8_0 ...), their bytes untouched.
  absl::StatusOr<Tensor> LoadTensor(std::string_view name) const;

  ~GgufFile();

 private:
  GgufFile();
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ttt::formats
