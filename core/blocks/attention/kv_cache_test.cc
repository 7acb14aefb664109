// KvCache compaction: kept rows move to the front byte for byte in every cache dtype, every layer, keys and
// values, and other slots are untouched; key rows can be edited in f32 and are stored back in the dtype.
#include "core/blocks/attention/kv_cache.h"

#include <cstring>
#include <vector>

#include "gtest/gtest.h"

namespace ttt {
namespace {

constexpr int64_t kLayers = 3, kBatch = 2, kSeq = 12, kKvDim = 24;  // 24: a bfp8 row is two blocks, one padded

// A value that differs by layer, slot, position, key/value and element, so a misplaced row shows.
float Value(int64_t layer, int64_t slot, int64_t pos, int kind, int64_t i) {
  return 0.25f * static_cast<float>(layer + 1) - 0.5f * static_cast<float>(slot) + static_cast<float>(pos) +
         (kind == 0 ? 0.01f : -0.02f) * static_cast<float>(i + 1);
}

void Fill(KvCache& cache) {
  std::vector<float> k(kKvDim), v(kKvDim);
  for (int64_t l = 0; l < kLayers; ++l) {
    for (int64_t s = 0; s < kBatch; ++s) {
      for (int64_t p = 0; p < kSeq; ++p) {
        for (int64_t i = 0; i < kKvDim; ++i) k[i] = Value(l, s, p, 0, i), v[i] = Value(l, s, p, 1, i);
        cache.Write(l, s, p, k.data(), v.data());
      }
    }
  }
}

std::vector<char> Row(const ops::KvRows& rows, int64_t pos) {
  const char* p = static_cast<const char*>(rows.data) + pos * rows.row_bytes;
  return std::vector<char>(p, p + rows.row_bytes);
}

class KvCacheCompactionTest : public ::testing::TestWithParam<DType> {};

TEST_P(KvCacheCompactionTest, KeptRowsMoveToTheFrontUnchangedInEveryLayer) {
  KvCache cache(kLayers, kBatch, kSeq, kKvDim, GetParam());
  Fill(cache);
  KvCache original(kLayers, kBatch, kSeq, kKvDim, GetParam());
  Fill(original);
  const std::vector<int64_t> keep = {0, 1, 2, 7, 8, 10, 11};  // sinks, a run, a gap, a run
  ASSERT_TRUE(cache.CompactSlot(1, keep).ok());
  for (int64_t l = 0; l < kLayers; ++l) {
    for (size_t i = 0; i < keep.size(); ++i) {
      EXPECT_EQ(Row(cache.key_rows(l, 1), i), Row(original.key_rows(l, 1), keep[i])) << "layer " << l << " row " << i;
      EXPECT_EQ(Row(cache.value_rows(l, 1), i), Row(original.value_rows(l, 1), keep[i])) << "layer " << l;
    }
    for (int64_t p = 0; p < kSeq; ++p) {  // the other slot is untouched
      EXPECT_EQ(Row(cache.key_rows(l, 0), p), Row(original.key_rows(l, 0), p));
      EXPECT_EQ(Row(cache.value_rows(l, 0), p), Row(original.value_rows(l, 0), p));
    }
  }
  // The rows hold the values written, within the dtype's rounding.
  std::vector<float> row(kKvDim);
  const double tolerance = GetParam() == DType::kF32 ? 0 : GetParam() == DType::kBF16 ? 0.05 : 0.1;
  ConvertToF32(static_cast<const char*>(cache.key_rows(2, 1).data) + 3 * cache.row_bytes(), kKvDim, GetParam(),
               row.data());
  for (int64_t i = 0; i < kKvDim; ++i) EXPECT_NEAR(row[i], Value(2, 1, 7, 0, i), tolerance);
}

TEST_P(KvCacheCompactionTest, KeyRowsAreEditedInF32AndStoredBackInTheDtype) {
  KvCache cache(kLayers, kBatch, kSeq, kKvDim, GetParam());
  Fill(cache);
  int64_t rows_seen = 0;
  cache.EditKeyRows(1, 0, 4, 3, [&](float* rows, int64_t n) {
    for (int64_t i = 0; i < n * kKvDim; ++i) rows[i] = -rows[i];
    rows_seen += n;
  });
  EXPECT_EQ(rows_seen, 3);
  std::vector<float> row(kKvDim);
  const double tolerance = GetParam() == DType::kF32 ? 0 : GetParam() == DType::kBF16 ? 0.05 : 0.1;
  for (int64_t p = 3; p <= 7; ++p) {
    ConvertToF32(static_cast<const char*>(cache.key_rows(1, 0).data) + p * cache.row_bytes(), kKvDim, GetParam(),
                 row.data());
    const double sign = p >= 4 && p < 7 ? -1 : 1;
    for (int64_t i = 0; i < kKvDim; ++i) EXPECT_NEAR(row[i], sign * Value(1, 0, p, 0, i), tolerance) << "row " << p;
  }
}

INSTANTIATE_TEST_SUITE_P(EveryCacheDtype, KvCacheCompactionTest,
                         ::testing::Values(DType::kF32, DType::kBF16, DType::kBFP8),
                         [](const auto& info) { return std::string(DTypeName(info.param)); });

TEST(KvCacheTest, CompactionRefusesRowsOutOfOrderOrPastTheCache) {
  KvCache cache(1, 1, 8, 4);
  EXPECT_EQ(cache.CompactSlot(0, {0, 3, 3}).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(cache.CompactSlot(0, {2, 1}).code(), absl::StatusCode::kInvalidArgument);
  const absl::Status past = cache.CompactSlot(0, {1, 8});
  EXPECT_EQ(past.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(past.message().find("past the cache's 8 rows"), std::string::npos) << past;
  EXPECT_EQ(cache.CompactSlot(1, {0}).code(), absl::StatusCode::kOutOfRange);
  EXPECT_TRUE(cache.CompactSlot(0, {}).ok());
}

}  // namespace
}  // namespace ttt
