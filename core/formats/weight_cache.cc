// Weight cache entries: one file per converted weight.
//
// Layout (little-endian, the host's; entries are not meant to move between machines):
//   EntryHeader (72 bytes) | values dims (i64 x rank) | row_scale dims (i64 x rank) | key text
//   | zero padding to 64 | values bytes | zero padding to 64 | row_scale bytes (f32)
// header_checksum covers every byte before the values (with the checksum fields read as zero), so a
// damaged header or key is caught before anything in it is trusted; payload_checksum covers every byte
// from the values to the end of the file. Payload offsets are 64-byte aligned so the mapped tensors are
// as aligned as owned ones.
#include "core/formats/weight_cache.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <optional>
#include <thread>
#include <vector>

#include <xxh_x86dispatch.h>  // the XXH3 variants with runtime choice of SSE2/AVX2/AVX-512
#include <xxhash.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "core/formats/weight_cache_maintenance.h"
#include "core/runtime/checked_size.h"
#include "core/runtime/logging.h"
#include "core/runtime/mapped_file.h"
#include "core/runtime/status.h"

namespace ttt {
namespace {

constexpr char kMagic[8] = {'T', 'T', 'T', 'W', 'C', 'A', 'C', 'H'};
constexpr int kMaxRank = 4;
constexpr uint64_t kAlign = 64;
// Fuzzing builds (tests/fuzz, TTT_FUZZ=ON) skip the checksums, which a fuzzer cannot forge, so that it reaches
// the checks of everything the checksums cover. Never defined in a build that users run.
#ifdef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
constexpr bool kSkipChecksums = true;
#else
constexpr bool kSkipChecksums = false;
#endif

struct EntryHeader {
  char magic[8];
  uint32_t format_version;
  uint32_t key_bytes;
  uint8_t values_dtype;
  uint8_t values_rank;
  uint8_t scale_rank;  // 0: no row_scale
  uint8_t reserved0;
  uint32_t reserved1;
  uint64_t values_offset;
  uint64_t values_bytes;
  uint64_t scale_offset;
  uint64_t scale_bytes;
  uint64_t header_checksum;
  uint64_t payload_checksum;
};
static_assert(sizeof(EntryHeader) == 72, "no padding inside the header");

// Checksums are XXH3 (Debian's libxxhash) through its runtime dispatch: 64.5 GB/s on 256 KiB in cache here
// (Zen 5, AVX-512), against 19 GB/s for XXH64 or for plain XXH3, which Debian builds for SSE2 only.
uint64_t Checksum(const void* data, size_t len, uint64_t seed) { return XXH3_64bits_withSeed_dispatch(data, len, seed); }

uint64_t AlignUp(uint64_t x) { return (x + kAlign - 1) / kAlign * kAlign; }

// The full key as stored in (and compared against) the entry. Fields are length-prefixed so no choice of
// strings can make two different keys print the same.
std::string KeyText(const WeightCacheKey& key) {
  return absl::StrCat("source=", key.source.size(), ":", key.source, "\ntensor=", key.tensor.size(), ":",
                      key.tensor, "\nconfig=", key.config.size(), ":", key.config,
                      "\nlibrary_version=", key.library_version.size(), ":", key.library_version, "\n");
}

uint64_t HeaderChecksum(const unsigned char* file, uint64_t header_end) {
  std::string copy(reinterpret_cast<const char*>(file), header_end);
  auto* h = reinterpret_cast<EntryHeader*>(copy.data());
  h->header_checksum = 0;
  h->payload_checksum = 0;
  return Checksum(copy.data(), copy.size(), /*seed=*/1);
}

// Checks an entry and maps its tensors. Any error means "do not use, rebuild"; the message says why.
absl::StatusOr<ops::LinearWeight> ReadEntry(const std::shared_ptr<MappedFile>& file, const std::string& key_text) {
  const unsigned char* d = file->data();
  const uint64_t size = file->size();
  if (size < sizeof(EntryHeader)) return absl::DataLossError(absl::StrCat("truncated: ", size, " bytes"));
  EntryHeader h;
  std::memcpy(&h, d, sizeof(h));
  if (std::memcmp(h.magic, kMagic, sizeof(kMagic)) != 0) return absl::DataLossError("bad magic");
  if (h.format_version != WeightCache::kFormatVersion) {
    return absl::FailedPreconditionError(
        absl::StrCat("format version ", h.format_version, ", expected ", WeightCache::kFormatVersion));
  }
  if (h.values_rank < 1 || h.values_rank > kMaxRank || h.scale_rank > kMaxRank) {
    return absl::DataLossError("bad rank");
  }
  const uint64_t dims_bytes = 8ull * (h.values_rank + h.scale_rank);
  const uint64_t header_end = sizeof(EntryHeader) + dims_bytes + h.key_bytes;
  if (h.key_bytes > (1u << 24) || header_end > size || h.values_offset < header_end ||
      h.values_offset > size) {
    return absl::DataLossError(absl::StrCat("truncated header (file has ", size, " bytes)"));
  }
  if (!kSkipChecksums && HeaderChecksum(d, h.values_offset) != h.header_checksum) {
    return absl::DataLossError("header checksum mismatch");
  }
  absl::string_view stored_key(reinterpret_cast<const char*>(d + sizeof(EntryHeader) + dims_bytes), h.key_bytes);
  if (stored_key != key_text) {
    return absl::FailedPreconditionError("stale: the entry was written for another key (source file, "
                                         "config or library version changed)");
  }
  Shape values_shape, scale_shape;
  for (int i = 0; i < h.values_rank; ++i) {
    int64_t v;
    std::memcpy(&v, d + sizeof(EntryHeader) + 8 * i, 8);
    if (v < 0) return absl::DataLossError("negative dimension");
    values_shape.push_back(v);
  }
  for (int i = 0; i < h.scale_rank; ++i) {
    int64_t v;
    std::memcpy(&v, d + sizeof(EntryHeader) + 8 * (h.values_rank + i), 8);
    if (v < 0) return absl::DataLossError("negative dimension");
    scale_shape.push_back(v);
  }
  if (h.values_dtype > static_cast<uint8_t>(DType::kBFP4)) return absl::DataLossError("bad dtype");
  const DType dtype = static_cast<DType>(h.values_dtype);
  // The dimensions are the file's: their byte counts are checked (a huge one overflowed here, issue 20).
  const absl::StatusOr<size_t> values_bytes = CheckedTensorBytes(dtype, values_shape);
  const absl::StatusOr<size_t> scale_bytes =
      h.scale_rank > 0 ? CheckedTensorBytes(DType::kF32, scale_shape) : absl::StatusOr<size_t>(0);
  if (!values_bytes.ok() || !scale_bytes.ok() || h.values_bytes != *values_bytes || h.scale_bytes != *scale_bytes) {
    return absl::DataLossError("payload sizes do not match the shapes");
  }
  // values_offset <= size and values_bytes < 2^61 (checked above): their sum cannot overflow, scale_offset's can.
  const uint64_t values_end = h.values_offset + h.values_bytes;
  const std::optional<uint64_t> expected_size =
      h.scale_rank > 0 ? CheckedAdd(h.scale_offset, h.scale_bytes) : std::optional<uint64_t>(values_end);
  if (h.values_offset % kAlign != 0 ||
      (h.scale_rank > 0 && (h.scale_offset % kAlign != 0 || h.scale_offset < values_end))) {
    return absl::DataLossError("misaligned payload");
  }
  if (!expected_size) return absl::DataLossError("the row-scale payload's end is past 2^64 bytes");
  if (size != *expected_size) {
    return absl::DataLossError(absl::StrCat("size ", size, " bytes, header says ", *expected_size));
  }
  if (!kSkipChecksums && Checksum(d + h.values_offset, size - h.values_offset, /*seed=*/2) != h.payload_checksum) {
    return absl::DataLossError("payload checksum mismatch");
  }
  ops::LinearWeight w;
  auto storage = file->AsStorage();
  TTT_ASSIGN_OR_RETURN(w.values, Tensor::View(storage, h.values_offset, dtype, values_shape));
  if (h.scale_rank > 0) {
    TTT_ASSIGN_OR_RETURN(w.row_scale, Tensor::View(storage, h.scale_offset, DType::kF32, scale_shape));
  }
  return w;
}

// The whole entry, in memory, ready to be written.
std::string SerializeEntry(const ops::LinearWeight& w, const std::string& key_text) {
  const Tensor values = w.values.Contiguous();
  const Tensor scale = w.row_scale.defined() ? w.row_scale.Contiguous() : Tensor();
  EntryHeader h{};
  std::memcpy(h.magic, kMagic, sizeof(kMagic));
  h.format_version = WeightCache::kFormatVersion;
  h.key_bytes = static_cast<uint32_t>(key_text.size());
  h.values_dtype = static_cast<uint8_t>(values.dtype());
  h.values_rank = static_cast<uint8_t>(values.rank());
  h.scale_rank = scale.defined() ? static_cast<uint8_t>(scale.rank()) : 0;
  const uint64_t header_end = sizeof(EntryHeader) + 8ull * (h.values_rank + h.scale_rank) + key_text.size();
  h.values_offset = AlignUp(header_end);
  h.values_bytes = values.nbytes();
  h.scale_offset = scale.defined() ? AlignUp(h.values_offset + h.values_bytes) : 0;
  h.scale_bytes = scale.defined() ? scale.nbytes() : 0;
  const uint64_t total = scale.defined() ? h.scale_offset + h.scale_bytes : h.values_offset + h.values_bytes;

  std::string out(total, '\0');
  char* o = out.data();
  size_t at = sizeof(EntryHeader);
  for (int64_t v : values.shape()) { std::memcpy(o + at, &v, 8); at += 8; }
  if (scale.defined()) for (int64_t v : scale.shape()) { std::memcpy(o + at, &v, 8); at += 8; }
  std::memcpy(o + at, key_text.data(), key_text.size());
  std::memcpy(o + h.values_offset, values.raw_data(), h.values_bytes);
  if (scale.defined()) std::memcpy(o + h.scale_offset, scale.raw_data(), h.scale_bytes);
  h.payload_checksum = Checksum(o + h.values_offset, total - h.values_offset, /*seed=*/2);
  std::memcpy(o, &h, sizeof(h));
  h.header_checksum = HeaderChecksum(reinterpret_cast<const unsigned char*>(o), h.values_offset);
  std::memcpy(o, &h, sizeof(h));
  return out;
}

// Writes `bytes` to a uniquely named temporary file next to `path`, fsyncs it and renames it over `path`.
// Two writers of the same entry each rename a complete file; the last rename wins and both are valid.
// The temporary file is removed on every failure path.
absl::Status WriteEntryAtomically(const std::string& path, const std::string& bytes) {
  static std::atomic<uint64_t> counter{0};
  const std::string tmp = absl::StrFormat(
      "%s.tmp.%d.%x.%d", path, ::getpid(), std::hash<std::thread::id>()(std::this_thread::get_id()),
      counter.fetch_add(1));
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) {
    return absl::PermissionDeniedError(absl::StrCat("cannot create '", tmp, "': ", std::strerror(errno)));
  }
  auto fail = [&](absl::string_view what) {
    const int err = errno;
    ::close(fd);
    ::unlink(tmp.c_str());
    return absl::InternalError(absl::StrCat(what, " '", tmp, "': ", std::strerror(err), " (disk full?)"));
  };
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail("writing");
    }
    done += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0) return fail("fsync of");
  if (::close(fd) != 0) {
    const int err = errno;
    ::unlink(tmp.c_str());
    return absl::InternalError(absl::StrCat("closing '", tmp, "': ", std::strerror(err)));
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    const int err = errno;
    ::unlink(tmp.c_str());
    return absl::InternalError(absl::StrCat("cannot rename '", tmp, "' to '", path, "': ", std::strerror(err)));
  }
  // Make the rename itself durable; failure here only risks losing the entry, which is rebuilt.
  const std::string dir = std::filesystem::path(path).parent_path().string();
  int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  return absl::OkStatus();
}

}  // namespace

std::string WeightCache::DefaultDirectory() {
  if (const char* d = std::getenv("TTT_CACHE_DIR"); d != nullptr && *d != '\0') return d;
  if (const char* d = std::getenv("XDG_CACHE_HOME"); d != nullptr && *d != '\0') return absl::StrCat(d, "/ttt");
  if (const char* d = std::getenv("HOME"); d != nullptr && *d != '\0') return absl::StrCat(d, "/.cache/ttt");
  return absl::StrCat("/tmp/ttt-cache-", ::getuid());
}

absl::StatusOr<std::unique_ptr<WeightCache>> WeightCache::Open(const std::string& dir) {
  if (dir.empty()) {
    return absl::InvalidArgumentError("weight cache: empty directory name; pass a directory or use --no-cache");
  }
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec || !std::filesystem::is_directory(dir)) {
    return absl::PermissionDeniedError(absl::StrCat(
        "weight cache: cannot create directory '", dir, "': ", ec ? ec.message() : "exists and is not a directory",
        ". Set TTT_CACHE_DIR to a writable directory, or run with --no-cache."));
  }
  // Probe by creating a file: access(W_OK) says nothing about read-only mounts or full disks.
  const std::string probe = absl::StrCat(dir, "/.probe.", ::getpid());
  int fd = ::open(probe.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    return absl::PermissionDeniedError(absl::StrCat(
        "weight cache: directory '", dir, "' is not writable: ", std::strerror(errno),
        ". Set TTT_CACHE_DIR to a writable directory, or run with --no-cache."));
  }
  ::close(fd);
  ::unlink(probe.c_str());
  const int64_t orphans = RemoveOrphanedTemporaries(dir);
  if (orphans > 0) spdlog::info("weight cache: removed {} temporary file(s) left by killed writers", orphans);
  return std::unique_ptr<WeightCache>(new WeightCache(dir));
}

std::string WeightCache::EntryPath(const WeightCacheKey& key) const {
  // Readable prefix (the tensor name) + hash of everything but the library version.
  std::string name;
  for (char c : key.tensor.substr(0, 80)) {
    name.push_back((std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-') ? c : '_');
  }
  const std::string id = absl::StrCat(key.source.size(), ":", key.source, "|", key.tensor.size(), ":", key.tensor,
                                      "|", key.config.size(), ":", key.config);
  // XXH64 names the file, as in format 1, so that a format-1 entry is found and replaced, not left behind.
  return absl::StrFormat("%s/%s-%016x.tttw", dir_, name, XXH64(id.data(), id.size(), /*seed=*/3));
}

absl::StatusOr<ops::LinearWeight> WeightCache::GetOrConvert(
    const WeightCacheKey& key, absl::FunctionRef<absl::StatusOr<ops::LinearWeight>()> convert) {
  const std::string path = EntryPath(key);
  const std::string key_text = KeyText(key);
  bool rebuild = false;
  struct stat st;
  if (::stat(path.c_str(), &st) == 0) {
    auto file = MappedFile::Open(path);
    absl::StatusOr<ops::LinearWeight> hit =
        file.ok() ? ReadEntry(*file, key_text) : absl::StatusOr<ops::LinearWeight>(file.status());
    if (hit.ok()) {
      ++stats_.hits;
      // The modification time records the last use, for least-recently-used eviction; failing to set it
      // only makes the entry look older.
      ::utimensat(AT_FDCWD, path.c_str(), nullptr, 0);
      return hit;
    }
    spdlog::warn("weight cache: entry '{}' for tensor '{}' is not usable ({}); converting again and rewriting it",
                 path, key.tensor, std::string(hit.status().message()));
    rebuild = true;
  }
  ++stats_.misses;
  if (rebuild) ++stats_.rebuilt;
  TTT_ASSIGN_OR_RETURN(ops::LinearWeight w, convert());
  if (!w.values.defined()) return w;  // nothing to cache
  absl::Status written = WriteEntryAtomically(path, SerializeEntry(w, key_text));
  if (!written.ok()) {
    // The converted weight is still good: a cache that cannot be written only costs time next run.
    spdlog::warn("weight cache: could not store tensor '{}': {}; continuing without caching it", key.tensor,
                 std::string(written.message()));
  } else if (max_bytes_ > 0) {
    auto pruned = PruneWeightCache(dir_, max_bytes_);
    if (!pruned.ok()) spdlog::warn("weight cache: {}", std::string(pruned.status().message()));
  }
  return w;
}

}  // namespace ttt
