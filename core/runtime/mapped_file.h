// Read-only memory map of a whole file, shared by the tensors that view it.
#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "core/runtime/tensor.h"

namespace ttt {

class MappedFile : public std::enable_shared_from_this<MappedFile> {
 public:
  // Maps `path`; an empty file maps to an empty span. Errors name the file and the system's reason.
  static absl::StatusOr<std::shared_ptr<MappedFile>> Open(const std::string& path);
  ~MappedFile();
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  const unsigned char* data() const { return static_cast<const unsigned char*>(data_); }
  size_t size() const { return size_; }
  const std::string& path() const { return path_; }
  // Storage covering the whole file that keeps this mapping alive (for Tensor::View).
  std::shared_ptr<Storage> AsStorage();

 private:
  MappedFile(std::string path, void* data, size_t size) : path_(std::move(path)), data_(data), size_(size) {}
  std::string path_;
  void* data_;
  size_t size_;
};

// Reads a whole (small) file into a string: configs, tokenizers, manifests.
absl::StatusOr<std::string> ReadFileToString(const std::string& path);
// Writes `contents` to `path` atomically: a temporary file in the same folder, then rename.
absl::Status WriteFileAtomically(const std::string& path, absl::string_view contents);

}  // namespace ttt
