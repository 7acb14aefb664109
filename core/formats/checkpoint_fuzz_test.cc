// Mutation fuzzing of every real fixture: flipped bytes, planted huge integers and truncations, mostly
// in the headers where the parsers make their decisions. Loading must return OK or an error, never crash,
// hang or read out of bounds (the loaded weights are read in full to make an out-of-bounds view fault).
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "core/formats/checkpoint.h"
#include "core/formats/testing/format_writers.h"
#include "gtest/gtest.h"

namespace ttt::formats {
namespace {

using testing::TempDir;

constexpr int kMutationsPerFixture = 300;

struct FuzzTarget {
  std::string fixture_dir;             // relative to the fixtures folder
  std::vector<std::string> files;      // copied into the temporary folder
  std::string mutated;                 // which of them is mutated
  std::string load;                    // what LoadCheckpoint is given ("" = the folder)
  size_t hot_bytes;                    // most mutations land in this leading range
};

// Size of the part of a safetensors file that its parser reads (length + JSON header).
size_t SafetensorsHeaderBytes(const std::string& bytes) {
  uint64_t n = 0;
  std::memcpy(&n, bytes.data(), 8);
  return 8 + n;
}

std::string Mutate(const std::string& original, size_t hot_bytes, std::mt19937_64& rng) {
  std::string bytes = original;
  auto position = [&]() -> size_t {
    size_t range = (rng() % 10 < 8) ? std::min(hot_bytes, bytes.size()) : bytes.size();
    return range == 0 ? 0 : rng() % range;
  };
  switch (rng() % 5) {
    case 0:  // truncate
      bytes.resize(position());
      break;
    case 1: {  // plant a huge or negative integer (counts, lengths, offsets, dimensions)
      const uint64_t values[] = {~0ull, 1ull << 63, 0x7FFFFFFFull, 0xFFFFFFFFull, 1ull << 40, 0};
      uint64_t v = values[rng() % 6];
      size_t at = position();
      size_t width = (rng() % 2) ? 8 : 4;
      if (at + width <= bytes.size()) std::memcpy(&bytes[at], &v, width);
      break;
    }
    case 2:  // a few random bytes
      for (int i = 0, n = 1 + rng() % 4; i < n && !bytes.empty(); ++i) bytes[position()] = static_cast<char>(rng());
      break;
    case 3: {  // JSON-significant characters
      const char chars[] = "{}[]\":,-0123456789eE.";
      for (int i = 0, n = 1 + rng() % 3; i < n && !bytes.empty(); ++i) bytes[position()] = chars[rng() % (sizeof(chars) - 1)];
      break;
    }
    default:  // a single bit
      if (!bytes.empty()) bytes[position()] ^= static_cast<char>(1 << (rng() % 8));
      break;
  }
  return bytes;
}

void PatchFile(const std::string& path, size_t offset, const std::string& bytes) {
  std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
  f.seekp(static_cast<std::streamoff>(offset));
  f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

void FuzzFixture(const FuzzTarget& target, uint64_t seed) {
  const std::string src = std::string(TTT_FIXTURES_DIR) + "/" + target.fixture_dir;
  TempDir dir;
  for (const std::string& f : target.files) {
    std::filesystem::copy_file(src + "/" + f, dir.File(f));
  }
  const std::string original = testing::ReadBytes(src + "/" + target.mutated);
  ASSERT_FALSE(original.empty());
  size_t hot = target.hot_bytes;
  if (target.mutated.find(".safetensors") != std::string::npos) hot = SafetensorsHeaderBytes(original);
  const std::string load_path = target.load.empty() ? dir.path() : dir.File(target.load);
  ASSERT_TRUE(LoadCheckpoint(load_path).ok()) << "the unmutated fixture must load";

  std::mt19937_64 rng(seed);
  const std::string mutated_path = dir.File(target.mutated);
  int ok = 0;
  for (int i = 0; i < kMutationsPerFixture; ++i) {
    const std::string bytes = Mutate(original, hot, rng);
    // Rewrite only the changed range (whole fixtures are megabytes; the disk is shared).
    size_t first = 0;
    while (first < bytes.size() && bytes[first] == original[first]) ++first;
    size_t last = bytes.size();
    while (last > first && bytes[last - 1] == original[last - 1]) --last;
    std::filesystem::resize_file(mutated_path, bytes.size());
    PatchFile(mutated_path, first, bytes.substr(first, last - first));
    absl::StatusOr<Checkpoint> ckpt = LoadCheckpoint(load_path);
    const size_t restore_end = bytes.size() < original.size() ? original.size() : last;
    auto restore = [&] {
      std::filesystem::resize_file(mutated_path, original.size());
      PatchFile(mutated_path, first, original.substr(first, restore_end - first));
    };
    if (!ckpt.ok()) {
      EXPECT_FALSE(ckpt.status().message().empty());
      restore();
      continue;
    }
    ++ok;
    double sum = 0;
    for (const auto& [name, tensor] : ckpt->weights) {
      for (float v : tensor.ToF32()) sum += v;
    }
    (void)sum;
    ckpt = absl::UnknownError("released");  // drop the mappings before the file changes back
    restore();
  }
  EXPECT_TRUE(testing::ReadBytes(mutated_path) == original) << "every mutation was undone";
  // Some mutations (inside weight data, say) leave a loadable file; some must be rejected.
  EXPECT_GT(ok, 0) << target.mutated;
  EXPECT_LT(ok, kMutationsPerFixture) << target.mutated;
}

TEST(CheckpointFuzzTest, Stories260KBin) {
  FuzzFixture({"stories260K", {"stories260K.bin"}, "stories260K.bin", "stories260K.bin", 64}, 1);
}

TEST(CheckpointFuzzTest, Stories260KGguf) {
  FuzzFixture({"stories260K", {"stories260K.gguf"}, "stories260K.gguf", "stories260K.gguf", 16384}, 2);
}

TEST(CheckpointFuzzTest, LlamaGqaTinyGguf) {
  FuzzFixture({"llama-gqa-tiny", {"model-f32.gguf"}, "model-f32.gguf", "model-f32.gguf", 16384}, 3);
}

TEST(CheckpointFuzzTest, LlamaGqaTinySafetensors) {
  FuzzFixture({"llama-gqa-tiny/hf", {"config.json", "model.safetensors"}, "model.safetensors", "", 0}, 4);
}

TEST(CheckpointFuzzTest, LlamaGqaTinyConfig) {
  FuzzFixture({"llama-gqa-tiny/hf", {"config.json", "model.safetensors"}, "config.json", "", 1 << 20}, 5);
}

TEST(CheckpointFuzzTest, Gpt2TinySafetensors) {
  FuzzFixture({"gpt2-tiny/hf", {"config.json", "generation_config.json", "model.safetensors"}, "model.safetensors", "", 0},
              6);
}

TEST(CheckpointFuzzTest, Gpt2TinyConfig) {
  FuzzFixture({"gpt2-tiny/hf", {"config.json", "generation_config.json", "model.safetensors"}, "config.json", "", 1 << 20},
              7);
}

}  // namespace
}  // namespace ttt::formats
