// safetensors (Hugging Face's weight file): an 8-byte little-endian header length, a JSON header mapping
// tensor names to {dtype, shape, data_offsets} (plus an optional "__metadata__" string map), then the raw
// bytes. A checkpoint is one such file or several shards listed by model.safetensors.index.json.
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

struct SafetensorsTensorInfo {
  std::string name;
  std::string dtype;  // as written in the header: "F32", "BF16", "I64", ...
  Shape shape;
  uint64_t offset;  // absolute offset of the data in the file
  uint64_t bytes;
};

class SafetensorsFile {
 public:
  // Maps the file and validates its header: the header length against the file size, the JSON, every
  // dtype, shape and data range (inside the data section, matching the shape, not overlapping another).
  static absl::StatusOr<std::unique_ptr<SafetensorsFile>> Open(const std::string& path);

  const std::string& path() const { return path_; }
  const absl::flat_hash_map<std::string, std::string>& metadata() const { return metadata_; }
  // In the order of their data in the file.
  const std::vector<SafetensorsTensorInfo>& tensors() const { return tensors_; }
  const SafetensorsTensorInfo* FindTensor(std::string_view name) const;
  // F32, F16 and BF16 tensors as zero-copy views of the mapped file (a copy when the data is not aligned
  // to its element size, which only unpadded headers cause); other dtypes are an error.
  absl::StatusOr<Tensor> LoadTensor(std::string_view name) const;

 private:
  SafetensorsFile() = default;
  absl::Status ParseHeader();

  std::string path_;
  std::shared_ptr<MappedFile> file_;
  absl::flat_hash_map<std::string, std::string> metadata_;
  std::vector<SafetensorsTensorInfo> tensors_;
  absl::flat_hash_map<std::string, size_t> index_;
};

// One or more safetensors files seen as one set of named tensors.
class SafetensorsCheckpoint {
 public:
  // `path` is a .safetensors file, a model.safetensors.index.json, or a directory holding either
  // (the index wins when both exist). Shards are opened relative to the index's folder.
  static absl::StatusOr<std::unique_ptr<SafetensorsCheckpoint>> Open(const std::string& path);

  // The file opened: the .safetensors file or the index (for error messages).
  const std::string& path() const { return path_; }
  const std::vector<std::string>& files() const { return files_; }
  std::vector<std::string> TensorNames() const;  // sorted
  bool Has(std::string_view name) const;
  const SafetensorsTensorInfo* FindTensor(std::string_view name) const;
  // The file holding `name` (for error messages), or "" when absent.
  std::string FileOf(std::string_view name) const;
  absl::StatusOr<Tensor> LoadTensor(std::string_view name) const;

 private:
  SafetensorsCheckpoint() = default;
  std::string path_;
  std::vector<std::string> files_;
  std::vector<std::unique_ptr<SafetensorsFile>> shards_;
  absl::flat_hash_map<std::string, size_t> shard_of_;
};

}  // namespace ttt::formats
