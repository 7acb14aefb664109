// A weight-cache entry (header, dims, key text, aligned payloads) found where the cache looks for it: the
// cache must either use it (every byte of the mapped tensors inside the file) or convert again, never crash.
// This build skips the checksums (FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION), which a fuzzer cannot forge.
#include "core/formats/weight_cache.h"
#include "tests/fuzz/fuzz_support.h"

namespace {

const ttt::WeightCacheKey kKey{.source = "model.gguf:123:456", .tensor = "layers.0.mlp.w_up", .config = "bf16"};

absl::StatusOr<ttt::ops::LinearWeight> Convert() {
  ttt::ops::LinearWeight w;
  w.values = ttt::Tensor::FromF32({2, 3}, {1, 2, 3, 4, 5, 6});
  return w;
}

ttt::WeightCache& Cache() {
  static auto cache = *ttt::WeightCache::Open(ttt::fuzz::Folder() + "/cache");
  return *cache;
}

}  // namespace

// With TTT_FUZZ_SEED_DIR set (tools/fuzz.sh does), a valid entry for the key is left there as a seed.
extern "C" int LLVMFuzzerInitialize(int*, char***) {
  ttt::fuzz::Quiet();
  if (const char* seeds = std::getenv("TTT_FUZZ_SEED_DIR")) {
    (void)Cache().GetOrConvert(kKey, Convert);
    std::filesystem::copy_file(Cache().EntryPath(kKey), std::string(seeds) + "/valid.tttw",
                               std::filesystem::copy_options::overwrite_existing);
  }
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = Cache().EntryPath(kKey);
  std::ofstream(path, std::ios::binary | std::ios::trunc).write(reinterpret_cast<const char*>(data), size);
  auto weight = Cache().GetOrConvert(kKey, Convert);
  TTT_FUZZ_CHECK(weight.ok());
  ttt::fuzz::TouchAll(weight->values);
  ttt::fuzz::TouchAll(weight->row_scale);
  return 0;
}
