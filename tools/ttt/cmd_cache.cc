// ttt cache: see and bound the converted-weight cache (core/formats/weight_cache_maintenance.h).
#include <cstdlib>
#include <iostream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/time.h"
#include "core/formats/weight_cache.h"
#include "core/formats/weight_cache_maintenance.h"
#include "core/runtime/status.h"
#include "tools/ttt/common.h"

namespace ttt::cli {
namespace {

std::string Bytes(int64_t bytes) { return absl::StrFormat("%.1f MiB", bytes / 1048576.0); }

absl::Status RunCache(const Args& args) {
  const std::vector<std::string>& verb = args.positional();
  if (verb.size() != 1 || (verb[0] != "list" && verb[0] != "size" && verb[0] != "prune")) {
    return absl::InvalidArgumentError("cache needs one of list, size or prune (see ttt cache --help)");
  }
  const std::string dir = args.Has("cache-dir") ? args.Get("cache-dir") : WeightCache::DefaultDirectory();
  if (verb[0] == "prune") {
    if (!args.Has("cache-max-size") && std::getenv("TTT_CACHE_MAX_SIZE") == nullptr) {
      return absl::InvalidArgumentError("prune needs --max-size SIZE (e.g. 20G; 0 empties the cache)");
    }
    TTT_ASSIGN_OR_RETURN(const int64_t max_bytes, CacheMaxSizeFromArgs(args));
    TTT_ASSIGN_OR_RETURN(const WeightCachePruneResult r, PruneWeightCache(dir, max_bytes));
    std::cout << "removed " << r.removed_entries << " entries (" << Bytes(r.removed_bytes) << "), kept "
              << r.kept_entries << " (" << Bytes(r.kept_bytes) << ") in " << dir << "\n";
    return absl::OkStatus();
  }
  TTT_ASSIGN_OR_RETURN(const std::vector<WeightCacheEntry> entries, ListWeightCache(dir));
  int64_t total = 0;
  for (const WeightCacheEntry& e : entries) {
    total += e.bytes;
    if (verb[0] == "list") {
      std::cout << absl::StrFormat("%10s  %s  %s\n", Bytes(e.bytes),
                                   absl::FormatTime("%Y-%m-%d %H:%M", absl::FromChrono(e.last_used),
                                                    absl::LocalTimeZone()),
                                   e.path);
    }
  }
  std::cout << entries.size() << " entries, " << Bytes(total) << " in " << dir << "\n";
  return absl::OkStatus();
}

TTT_COMMAND({"cache", "the converted-weight cache: list its entries (least recently used first), its size, prune it",
             {{"--cache-dir", "the cache (default: $TTT_CACHE_DIR, else $XDG_CACHE_HOME/ttt, ~/.cache/ttt)", ""},
              {"--cache-max-size,--max-size", "prune: evict least recently used entries beyond this size, e.g. 20G "
                                              "(default: $TTT_CACHE_MAX_SIZE)", ""}},
             RunCache, "list | size | prune"});

}  // namespace
}  // namespace ttt::cli
