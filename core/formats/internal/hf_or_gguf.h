// What the readers of the families that are not decoders share (BERT-style encoders, T5): a model path is a
// Hugging Face folder (its config.json names the family in model_type) or a GGUF file (general.architecture).
#pragma once

#include <filesystem>
#include <string>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace ttt::formats::internal {

// Whether the file starts with GGUF's magic.
bool HasGgufMagic(const std::string& path);

// config.json's model_type in a folder, or the architecture of a GGUF file; "" when the path is neither or
// cannot be read.
std::string ModelTypeAt(const std::string& path);

// Loads `path` with `load_hf` (given the folder: the path, or the folder of a .safetensors file) or `load_gguf`
// (a GGUF file). The errors name what the path should be: `noun` ("encoder", "model") and `family` ("BERT", "T5").
template <class T>
absl::StatusOr<T> LoadHfOrGguf(const std::string& path, absl::string_view noun, absl::string_view family,
                               absl::FunctionRef<absl::StatusOr<T>(const std::string&)> load_hf,
                               absl::FunctionRef<absl::StatusOr<T>(const std::string&)> load_gguf) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    if (!fs::exists(fs::path(path) / "config.json")) {
      return absl::NotFoundError(absl::StrCat("folder '", path, "' has no config.json; pass a Hugging Face ", family,
                                              " folder or a .gguf file"));
    }
    return load_hf(path);
  }
  if (!fs::is_regular_file(path, ec)) {
    return absl::NotFoundError(absl::StrCat(noun, " '", path, "' does not exist or is not a file or folder"));
  }
  if (absl::EndsWith(path, ".safetensors")) {
    const std::string dir = fs::path(path).parent_path().string();
    return load_hf(dir.empty() ? "." : dir);
  }
  if (HasGgufMagic(path)) return load_gguf(path);
  return absl::InvalidArgumentError(absl::StrCat("'", path, "' is neither a Hugging Face folder nor a GGUF file"));
}

}  // namespace ttt::formats::internal
