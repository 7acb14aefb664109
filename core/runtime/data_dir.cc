#include "core/runtime/data_dir.h"

#include <cstdlib>
#include <filesystem>
#include <system_error>

namespace ttt {

std::string PackageDataDir() {
  if (const char* env = std::getenv("TTT_DATA_DIR"); env != nullptr && *env != '\0') return env;
  std::error_code ec;
  const std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) return "";
  const std::filesystem::path dir = (exe.parent_path().parent_path() / "share" / "ttt").lexically_normal();
  return std::filesystem::is_directory(dir, ec) ? dir.string() : "";
}

}  // namespace ttt
