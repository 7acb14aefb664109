#include "core/runtime/data_dir.h"

#include <dlfcn.h>

#include <cstdlib>
#include <filesystem>
#include <system_error>

namespace ttt {

namespace {

// <dir>/share/ttt for the nearest of `file`'s parent directories that has one; "" when none does.
std::string ShareDirAbove(const std::filesystem::path& file) {
  std::error_code ec;
  for (std::filesystem::path dir = file.parent_path(); !dir.empty(); dir = dir.parent_path()) {
    const std::filesystem::path share = (dir / "share" / "ttt").lexically_normal();
    if (std::filesystem::is_directory(share, ec)) return share.string();
    if (dir == dir.parent_path()) break;
  }
  return "";
}

}  // namespace

std::string PackageDataDir() {
  if (const char* env = std::getenv("TTT_DATA_DIR"); env != nullptr && *env != '\0') return env;
  std::error_code ec;
  const std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    const std::filesystem::path dir = (exe.parent_path().parent_path() / "share" / "ttt").lexically_normal();
    if (std::filesystem::is_directory(dir, ec)) return dir.string();
  }
  // A shared object that embeds the library (the Python module, <prefix>/lib/python3/dist-packages/ttt/_ttt.so,
  // or build/python/ttt in a build tree): the share/ttt above its own file.
  Dl_info info;
  if (dladdr(reinterpret_cast<void*>(&PackageDataDir), &info) != 0 && info.dli_fname != nullptr) {
    const std::filesystem::path self = std::filesystem::absolute(info.dli_fname, ec);
    if (!ec && self != exe) return ShareDirAbove(self);
  }
  return "";
}

}  // namespace ttt
