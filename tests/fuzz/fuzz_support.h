// What every fuzz target shares. The loaders read files by path (most map them), so each input is written
// to a file in a folder of this process's own, on tmpfs where there is one.
#pragma once

#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include "core/runtime/logging.h"
#include "core/runtime/tensor.h"

namespace ttt::fuzz {

// This process's folder, created on first use (removed by tools/fuzz.sh; it holds one input at a time).
inline const std::string& Folder() {
  static const std::string folder = [] {
    const char* base = std::filesystem::is_directory("/dev/shm") ? "/dev/shm" : "/tmp";
    std::string path = std::string(base) + "/ttt-fuzz-" + std::to_string(getpid());
    std::filesystem::create_directories(path);
    return path;
  }();
  return folder;
}

// Writes `bytes` to Folder()/name and returns the path.
inline std::string WriteFile(const std::string& name, std::string_view bytes) {
  const std::string path = Folder() + "/" + name;
  std::ofstream(path, std::ios::binary | std::ios::trunc).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  return path;
}

inline std::string_view Bytes(const uint8_t* data, size_t size) {
  return std::string_view(reinterpret_cast<const char*>(data), size);
}

// A loader's warnings would be printed once per input: only errors that escape are of interest.
inline void Quiet() { (void)SetLogLevel("off"); }

// Reads every byte a tensor claims, so that a view past the end of its file faults under ASan.
inline uint8_t TouchAll(const Tensor& t) {
  if (!t.defined()) return 0;
  const auto* p = static_cast<const uint8_t*>(t.raw_data());
  uint8_t x = 0;
  for (size_t i = 0, n = t.nbytes(); i < n; ++i) x ^= p[i];
  return x;
}

// A broken promise: libFuzzer reports the abort with the input that caused it.
#define TTT_FUZZ_CHECK(cond)                                               \
  do {                                                                     \
    if (!(cond)) {                                                         \
      std::fprintf(stderr, "fuzz check failed: %s (%s:%d)\n", #cond, __FILE__, __LINE__); \
      std::abort();                                                        \
    }                                                                      \
  } while (0)

// The first and the rest of an input split at its first NUL (for targets reading two files).
inline std::pair<std::string_view, std::string_view> SplitAtNul(std::string_view bytes) {
  const size_t at = bytes.find('\0');
  if (at == std::string_view::npos) return {bytes, {}};
  return {bytes.substr(0, at), bytes.substr(at + 1)};
}

}  // namespace ttt::fuzz
