#include "core/formats/internal/hf_or_gguf.h"

#include <fstream>
#include <string_view>

#include "core/formats/gguf/gguf_file.h"
#include "core/runtime/mapped_file.h"
#include "nlohmann/json.hpp"

namespace ttt::formats::internal {

bool HasGgufMagic(const std::string& path) {
  char magic[4] = {0, 0, 0, 0};
  std::ifstream(path, std::ios::binary).read(magic, 4);
  return std::string_view(magic, 4) == "GGUF";
}

std::string ModelTypeAt(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    absl::StatusOr<std::string> text = ReadFileToString((fs::path(path) / "config.json").string());
    if (!text.ok()) return "";
    const nlohmann::json j = nlohmann::json::parse(*text, nullptr, /*allow_exceptions=*/false);
    if (!j.is_object() || !j.contains("model_type") || !j["model_type"].is_string()) return "";
    return j["model_type"].get<std::string>();
  }
  if (!fs::is_regular_file(path, ec) || !HasGgufMagic(path)) return "";
  absl::StatusOr<std::unique_ptr<GgufFile>> gguf = GgufFile::Open(path);
  if (!gguf.ok()) return "";
  absl::StatusOr<std::string> arch = (*gguf)->GetString("general.architecture");
  return arch.ok() ? *arch : "";
}

}  // namespace ttt::formats::internal
