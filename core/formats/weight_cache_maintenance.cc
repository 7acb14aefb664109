#include "core/formats/weight_cache_maintenance.h"

#include <signal.h>

#include <algorithm>
#include <cerrno>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <system_error>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace ttt {
namespace fs = std::filesystem;

absl::StatusOr<std::vector<WeightCacheEntry>> ListWeightCache(const std::string& dir) {
  std::vector<WeightCacheEntry> entries;
  std::error_code ec;
  if (!fs::exists(dir, ec)) return entries;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->path().extension() != ".tttw") continue;  // temporaries of writers in progress are not entries
    std::error_code entry_ec;
    const auto size = it->file_size(entry_ec);
    const auto time = it->last_write_time(entry_ec);
    if (entry_ec) continue;  // removed by another process meanwhile
    entries.push_back({it->path().string(), static_cast<int64_t>(size),
                       fs::file_time_type::clock::to_sys(time)});
  }
  if (ec) {
    return absl::PermissionDeniedError(absl::StrCat("weight cache: cannot read directory '", dir, "': ",
                                                    ec.message(), "; check its permissions or use --cache-dir"));
  }
  std::sort(entries.begin(), entries.end(),
            [](const WeightCacheEntry& a, const WeightCacheEntry& b) { return a.last_used < b.last_used; });
  return entries;
}

absl::StatusOr<WeightCachePruneResult> PruneWeightCache(const std::string& dir, int64_t max_bytes) {
  if (max_bytes < 0) return absl::InvalidArgumentError("weight cache: the size limit must be >= 0");
  auto entries = ListWeightCache(dir);
  if (!entries.ok()) return entries.status();
  WeightCachePruneResult result;
  for (const WeightCacheEntry& e : *entries) result.kept_bytes += e.bytes;
  result.kept_entries = static_cast<int64_t>(entries->size());
  for (const WeightCacheEntry& e : *entries) {  // oldest use first
    if (result.kept_bytes <= max_bytes) break;
    std::error_code ec;
    if (!fs::remove(e.path, ec) && ec) {
      return absl::PermissionDeniedError(
          absl::StrCat("weight cache: cannot remove '", e.path, "': ", ec.message(), "; check the directory's permissions"));
    }
    result.kept_bytes -= e.bytes;
    --result.kept_entries;
    result.removed_bytes += e.bytes;
    ++result.removed_entries;
  }
  return result;
}

int64_t RemoveOrphanedTemporaries(const std::string& dir, std::chrono::seconds stale_after) {
  int64_t removed = 0;
  std::error_code ec;
  const auto now = fs::file_time_type::clock::now();
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    const size_t tag = name.find(".tttw.tmp.");
    if (tag == std::string::npos) continue;
    const std::string rest = name.substr(tag + 10);  // "PID.THREAD.N"
    int pid = 0;
    const bool writer_gone = absl::SimpleAtoi(rest.substr(0, rest.find('.')), &pid) && pid > 0 &&
                             ::kill(pid, 0) != 0 && errno == ESRCH;
    std::error_code file_ec;
    const auto written = it->last_write_time(file_ec);
    const bool stale = !file_ec && now - written > stale_after;
    if ((writer_gone || stale) && fs::remove(it->path(), file_ec)) ++removed;
  }
  return removed;
}

absl::StatusOr<int64_t> ParseByteSize(const std::string& text) {
  std::string t = absl::AsciiStrToUpper(absl::StripAsciiWhitespace(text));
  if (absl::EndsWith(t, "IB")) {
    t.resize(t.size() - 2);
  } else if (absl::EndsWith(t, "B")) {
    t.resize(t.size() - 1);
  }
  double scale = 1;
  if (!t.empty() && std::isalpha(static_cast<unsigned char>(t.back()))) {
    const std::string units = "KMGT";
    const size_t power = units.find(t.back());
    if (power == std::string::npos) {
      return absl::InvalidArgumentError(
          absl::StrCat("'", text, "': unknown unit; use bytes or a number with K, M, G or T, e.g. 20G or 512M"));
    }
    scale = std::pow(1024.0, static_cast<double>(power + 1));
    t.pop_back();
  }
  double value = 0;
  if (t.empty() || !absl::SimpleAtod(t, &value) || value < 0 || !std::isfinite(value)) {
    return absl::InvalidArgumentError(
        absl::StrCat("'", text, "' is not a size: use bytes or a number with K, M, G or T, e.g. 20G or 512M"));
  }
  return static_cast<int64_t>(value * scale);
}

}  // namespace ttt
