// On-disk cache of converted weights: a linear weight converted to its configured dtype (bf16, i8, bfp8,
// bfp4, ...) is written once and mapped on later loads instead of being converted again (the model then
// copies its decode weights, mapped ones included, into huge-page arenas: CausalLm::PackDecodeWeights).
//
// Interface shared by the model builder (which asks for weights) and the cache implementation.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "core/ops/ops.h"
#include "core/runtime/library_version.h"

namespace ttt {

// What an entry depends on; any change to any part is a different entry.
struct WeightCacheKey {
  std::string source;           // identity of the checkpoint file: path, size, modification time
  std::string tensor;           // canonical tensor name, e.g. "layers.3.mlp.w_up"
  std::string config;           // the resolved op config the weight was converted for (text)
  std::string library_version = std::string(LibraryVersion());
};

// One WeightCache object serves one thread at a time; any number of objects and processes may share a
// directory (entries are written under unique temporary names and renamed into place, so readers see a
// whole old entry or a whole new one). Entries are verified (header and payload checksums, the full key)
// on every load. Open fails with a clear error on a directory that cannot be created or written; a write
// that fails later (disk full) is logged and the converted weight is still returned.
class WeightCache {
 public:
  // Opens (creating when missing) the cache directory `dir`.
  static absl::StatusOr<std::unique_ptr<WeightCache>> Open(const std::string& dir);
  // The default directory: $TTT_CACHE_DIR, else $XDG_CACHE_HOME/ttt, else ~/.cache/ttt.
  static std::string DefaultDirectory();

  // The cached weight for `key`, or `convert()`'s result, written atomically (temporary name, then rename)
  // for next time. A corrupt, truncated or stale entry is detected, logged and rebuilt, never used.
  absl::StatusOr<ops::LinearWeight> GetOrConvert(const WeightCacheKey& key,
                                                 absl::FunctionRef<absl::StatusOr<ops::LinearWeight>()> convert);

  struct Stats {
    int64_t hits = 0;
    int64_t misses = 0;
    int64_t rebuilt = 0;  // entries found corrupt or stale and written again
  };
  Stats stats() const { return stats_; }
  const std::string& directory() const { return dir_; }
  // A size limit for the directory: after writing an entry, least recently used entries are evicted until
  // the directory holds at most `bytes` (core/formats/weight_cache_maintenance.h). 0: no limit.
  void set_max_bytes(int64_t bytes) { max_bytes_ = bytes; }
  // Where the entry for `key` lives (one file per entry). Its name hashes source, tensor and config but
  // not the library version, so an entry of another version is found, recognised as stale and replaced
  // instead of lingering next to the new one.
  std::string EntryPath(const WeightCacheKey& key) const;

  // On-disk format version; bumped whenever the entry layout or its checksums change (older entries are then
  // rebuilt). 2: XXH3 checksums (1 had XXH64).
  static constexpr uint32_t kFormatVersion = 2;

 private:
  explicit WeightCache(std::string dir) : dir_(std::move(dir)) {}
  std::string dir_;
  Stats stats_;
  int64_t max_bytes_ = 0;
};

}  // namespace ttt
