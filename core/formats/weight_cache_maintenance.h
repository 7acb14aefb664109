// Seeing and bounding the weight cache (core/formats/weight_cache.h) on disk: its entries with their size and
// last use, and least-recently-used eviction down to a size. "Last use" is an entry's modification time,
// which WeightCache sets on every hit (access times are unreliable: most file systems mount noatime or
// relatime).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace ttt {

struct WeightCacheEntry {
  std::string path;
  int64_t bytes = 0;
  std::chrono::system_clock::time_point last_used;
};

// The entries (*.tttw) of cache directory `dir`, least recently used first. A missing directory is an
// empty cache; one that cannot be read is an error naming it.
absl::StatusOr<std::vector<WeightCacheEntry>> ListWeightCache(const std::string& dir);

struct WeightCachePruneResult {
  int64_t removed_entries = 0, removed_bytes = 0;
  int64_t kept_entries = 0, kept_bytes = 0;
};

// Removes least recently used entries until the rest take at most `max_bytes`. An entry that another
// process has mapped stays readable by it until unmapped (POSIX unlink semantics).
absl::StatusOr<WeightCachePruneResult> PruneWeightCache(const std::string& dir, int64_t max_bytes);

// Removes the temporaries ("ENTRY.tttw.tmp.PID.THREAD.N") that writers killed mid-write (kill -9, a crash,
// power loss) never renamed nor removed, so they cannot pile up: those of a process that no longer exists on
// this host, and any older than `stale_after` (a directory shared between hosts, where the PID means nothing).
// A live writer whose temporary is removed only fails to store its entry (logged; the weight is still good).
// Returns how many were removed; unreadable directories and files are skipped.
int64_t RemoveOrphanedTemporaries(const std::string& dir,
                                  std::chrono::seconds stale_after = std::chrono::hours(24));

// "20G", "512M", "1.5G", "4096" (bytes; K, M, G, T are powers of 1024, an optional trailing "B" or "iB").
absl::StatusOr<int64_t> ParseByteSize(const std::string& text);

}  // namespace ttt
