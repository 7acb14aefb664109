#include "core/formats/safetensors/safetensors_file.h"

#include <filesystem>
#include <string>
#include <vector>

#include "core/formats/testing/format_writers.h"
#include "core/runtime/dtype.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace ttt::formats {
namespace {

using ::testing::HasSubstr;
using testing::AppendPod;
using testing::FloatBytes;
using testing::SafetensorsWriter;
using testing::TempDir;
using testing::WriteBytes;

const std::string kGpt2 = std::string(TTT_FIXTURES_DIR) + "/gpt2-tiny/hf/model.safetensors";

std::string Msg(const absl::Status& s) { return std::string(s.message()); }

std::string Bf16Bytes(const std::vector<float>& v) {
  std::string out;
  for (float x : v) AppendPod(out, F32ToBF16(x));
  return out;
}
std::string F16Bytes(const std::vector<float>& v) {
  std::string out;
  for (float x : v) AppendPod(out, F32ToF16(x));
  return out;
}

TEST(SafetensorsFileTest, ReadsGpt2Fixture) {
  auto st = SafetensorsFile::Open(kGpt2);
  ASSERT_TRUE(st.ok()) << st.status();
  EXPECT_EQ((*st)->metadata().at("format"), "pt");
  const SafetensorsTensorInfo* info = (*st)->FindTensor("transformer.h.0.attn.c_attn.weight");
  ASSERT_NE(info, nullptr);
  EXPECT_EQ(info->dtype, "F32");
  EXPECT_EQ(info->shape, (Shape{32, 96}));
  auto t = (*st)->LoadTensor("transformer.h.0.attn.c_attn.weight");
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->shape(), (Shape{32, 96}));
  std::string bytes = testing::ReadBytes(kGpt2);
  EXPECT_EQ(t->storage()->size(), bytes.size()) << "a view of the mapped file, not a copy";
  EXPECT_EQ(0, std::memcmp(t->raw_data(), bytes.data() + info->offset, info->bytes));
  EXPECT_EQ((*st)->LoadTensor("nope").status().code(), absl::StatusCode::kNotFound);
}

TEST(SafetensorsFileTest, ReadsEveryLoadableDtypeAndRejectsOthers) {
  std::vector<float> v = {1.0f, -2.0f, 0.5f, 8.0f, -0.25f, 3.0f};
  SafetensorsWriter w;
  w.Metadata("format", "pt");
  w.Add("a.f32", "F32", {2, 3}, FloatBytes(v));
  w.Add("b.f16", "F16", {3, 2}, F16Bytes(v));
  w.Add("c.bf16", "BF16", {6}, Bf16Bytes(v));
  w.Add("d.i64", "I64", {2}, std::string(16, '\1'));
  w.Add("e.empty", "F32", {0, 4}, "");
  TempDir dir;
  WriteBytes(dir.File("m.safetensors"), w.Build());
  auto st = SafetensorsFile::Open(dir.File("m.safetensors"));
  ASSERT_TRUE(st.ok()) << st.status();
  EXPECT_EQ((*st)->tensors().size(), 5u);
  for (const char* name : {"a.f32", "b.f16", "c.bf16"}) {
    auto t = (*st)->LoadTensor(name);
    ASSERT_TRUE(t.ok()) << t.status();
    EXPECT_EQ(t->ToF32(), v) << name;
  }
  EXPECT_EQ((*st)->LoadTensor("b.f16")->dtype(), DType::kF16);
  EXPECT_EQ((*st)->LoadTensor("c.bf16")->dtype(), DType::kBF16);
  EXPECT_EQ((*st)->LoadTensor("e.empty")->shape(), (Shape{0, 4}));
  EXPECT_EQ((*st)->LoadTensor("a.f32")->storage()->size(), testing::ReadBytes(dir.File("m.safetensors")).size())
      << "aligned data is viewed in place";

  // An unpadded header leaves the data misaligned: the values are still right (from a copy).
  std::string pad;
  while ((8 + w.Metadata("pad", pad).Header().dump().size()) % 4 == 0) pad += 'x';
  WriteBytes(dir.File("u.safetensors"), w.BuildUnpadded());
  auto unpadded = SafetensorsFile::Open(dir.File("u.safetensors"));
  ASSERT_TRUE(unpadded.ok()) << unpadded.status();
  ASSERT_NE((*unpadded)->FindTensor("a.f32")->offset % 4, 0u) << "the test needs a misaligned tensor";
  for (const char* name : {"a.f32", "b.f16", "c.bf16"}) EXPECT_EQ((*unpadded)->LoadTensor(name)->ToF32(), v) << name;
  auto i64 = (*st)->LoadTensor("d.i64");
  ASSERT_FALSE(i64.ok());
  EXPECT_THAT(Msg(i64.status()), HasSubstr("I64"));
  EXPECT_THAT(Msg(i64.status()), HasSubstr("d.i64"));
}

void ExpectOpenFails(const std::string& bytes, const std::string& fragment) {
  TempDir dir;
  WriteBytes(dir.File("bad.safetensors"), bytes);
  auto st = SafetensorsFile::Open(dir.File("bad.safetensors"));
  ASSERT_FALSE(st.ok()) << "expected an error mentioning '" << fragment << "'";
  EXPECT_THAT(Msg(st.status()), HasSubstr(fragment));
  EXPECT_THAT(Msg(st.status()), HasSubstr("bad.safetensors"));
}

std::string WithHeader(const std::string& json, const std::string& data) {
  return SafetensorsWriter().BuildWithHeader(json) + data;
}

TEST(SafetensorsFileTest, RejectsMalformedFiles) {
  ExpectOpenFails("", "too short");
  ExpectOpenFails("\x05\0\0", "too short");
  std::string huge;
  AppendPod<uint64_t>(huge, ~0ull);
  ExpectOpenFails(huge + "{}", "runs past the end");
  std::string big;
  AppendPod<uint64_t>(big, 200ull << 20);
  ExpectOpenFails(big + std::string(64, ' '), "runs past the end");
  ExpectOpenFails(WithHeader("{\"a\": ", ""), "not valid JSON");
  ExpectOpenFails(WithHeader("[1, 2]", ""), "not a JSON object");
  ExpectOpenFails(WithHeader(std::string(10000, '[') + std::string(10000, ']'), ""), "nests deeper");
  std::string data = FloatBytes({1, 2, 3, 4});
  ExpectOpenFails(WithHeader(R"({"w": {"dtype": "F32", "shape": [4], "data_offsets": [0, 32]}})", data),
                  "not inside");
  ExpectOpenFails(WithHeader(R"({"w": {"dtype": "F32", "shape": [4], "data_offsets": [8, 4]}})", data),
                  "not inside");
  ExpectOpenFails(WithHeader(R"({"w": {"dtype": "F32", "shape": [4], "data_offsets": [-4, 12]}})", data),
                  "non-negative");
  ExpectOpenFails(WithHeader(R"({"w": {"dtype": "F32", "shape": [-4], "data_offsets": [0, 16]}})", data),
                  "negative dimension");
  ExpectOpenFails(WithHeader(R"({"w": {"dtype": "F32", "shape": [3], "data_offsets": [0, 16]}})", data),
                  "needs 12");
  ExpectOpenFails(WithHeader(R"({"w": {"dtype": "F32", "shape": [4294967296, 4294967296, 65536],
                                "data_offsets": [0, 16]}})", data), "implausibly large");
  ExpectOpenFails(WithHeader(R"({"w": {"dtype": "Q4", "shape": [4], "data_offsets": [0, 16]}})", data),
                  "unknown dtype");
  ExpectOpenFails(WithHeader(R"({"w": {"dtype": "F32", "shape": [4]}})", data), "data_offsets");
  ExpectOpenFails(WithHeader(R"({"w": {"shape": [4], "data_offsets": [0, 16]}})", data), "dtype");
  ExpectOpenFails(WithHeader(R"({"w": 5})", data), "not an object");
  ExpectOpenFails(WithHeader(R"({"__metadata__": [1]})", data), "__metadata__");
  ExpectOpenFails(WithHeader(R"({"a": {"dtype": "F32", "shape": [3], "data_offsets": [0, 12]},
                                 "b": {"dtype": "F32", "shape": [2], "data_offsets": [8, 16]}})", data),
                  "overlap");
}

TEST(SafetensorsFileTest, EveryTruncationFailsCleanly) {
  SafetensorsWriter w;
  w.Add("a", "F32", {2, 2}, FloatBytes({1, 2, 3, 4})).Add("b", "BF16", {2}, Bf16Bytes({1, 2}));
  std::string full = w.Build();
  TempDir dir;
  std::string path = dir.File("cut.safetensors");
  for (size_t cut = 0; cut < full.size(); ++cut) {
    WriteBytes(path, full.substr(0, cut));
    EXPECT_FALSE(SafetensorsFile::Open(path).ok()) << "cut at " << cut;
  }
  WriteBytes(path, full);
  EXPECT_TRUE(SafetensorsFile::Open(path).ok());
}

// A sharded checkpoint as transformers writes it: two shard files and an index naming them.
void WriteShardedCheckpoint(const TempDir& dir, const std::string& index_json_override = "") {
  SafetensorsWriter shard1, shard2;
  shard1.Add("x.weight", "F32", {2}, FloatBytes({1, 2}));
  shard1.Add("y.weight", "BF16", {2}, Bf16Bytes({3, 4}));
  shard2.Add("z.weight", "F16", {1, 2}, F16Bytes({5, 6}));
  WriteBytes(dir.File("model-00001-of-00002.safetensors"), shard1.Build());
  WriteBytes(dir.File("model-00002-of-00002.safetensors"), shard2.Build());
  nlohmann::json index = {{"metadata", {{"total_size", 12}}},
                          {"weight_map",
                           {{"x.weight", "model-00001-of-00002.safetensors"},
                            {"y.weight", "model-00001-of-00002.safetensors"},
                            {"z.weight", "model-00002-of-00002.safetensors"}}}};
  WriteBytes(dir.File("model.safetensors.index.json"),
             index_json_override.empty() ? index.dump() : index_json_override);
}

TEST(SafetensorsCheckpointTest, ReadsShardedCheckpointFromFolderOrIndex) {
  TempDir dir;
  WriteShardedCheckpoint(dir);
  for (const std::string& path : {dir.path(), dir.File("model.safetensors.index.json")}) {
    auto ckpt = SafetensorsCheckpoint::Open(path);
    ASSERT_TRUE(ckpt.ok()) << ckpt.status();
    EXPECT_EQ((*ckpt)->files().size(), 2u);
    EXPECT_EQ((*ckpt)->TensorNames(), (std::vector<std::string>{"x.weight", "y.weight", "z.weight"}));
    EXPECT_TRUE((*ckpt)->Has("z.weight"));
    EXPECT_THAT((*ckpt)->FileOf("z.weight"), HasSubstr("model-00002-of-00002"));
    EXPECT_EQ((*ckpt)->LoadTensor("x.weight")->ToF32(), (std::vector<float>{1, 2}));
    EXPECT_EQ((*ckpt)->LoadTensor("y.weight")->ToF32(), (std::vector<float>{3, 4}));
    EXPECT_EQ((*ckpt)->LoadTensor("z.weight")->ToF32(), (std::vector<float>{5, 6}));
    EXPECT_EQ((*ckpt)->LoadTensor("w").status().code(), absl::StatusCode::kNotFound);
  }
}

TEST(SafetensorsCheckpointTest, RejectsBrokenIndexes) {
  auto expect_fails = [](const std::string& index, const std::string& fragment) {
    TempDir dir;
    WriteShardedCheckpoint(dir, index);
    auto ckpt = SafetensorsCheckpoint::Open(dir.path());
    ASSERT_FALSE(ckpt.ok()) << fragment;
    EXPECT_THAT(Msg(ckpt.status()), HasSubstr(fragment));
  };
  expect_fails("{not json", "not valid JSON");
  expect_fails(R"({"metadata": {}})", "weight_map");
  expect_fails(R"({"weight_map": {}})", "empty");
  expect_fails(R"({"weight_map": {"x.weight": 3}})", "not a file name");
  expect_fails(R"({"weight_map": {"x.weight": "../../etc/passwd"}})", "not a file inside");
  expect_fails(R"({"weight_map": {"x.weight": "/etc/passwd"}})", "not a file inside");
  expect_fails(R"({"weight_map": {"x.weight": "missing.safetensors"}})", "missing.safetensors");
  expect_fails(R"({"weight_map": {"z.weight": "model-00001-of-00002.safetensors"}})", "does not contain it");
  TempDir empty;
  EXPECT_EQ(SafetensorsCheckpoint::Open(empty.path()).status().code(), absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace ttt::formats
