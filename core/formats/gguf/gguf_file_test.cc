#include "core/formats/gguf/gguf_file.h"

#include <cmath>
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
using testing::GgufWriter;
using testing::TempDir;
using testing::WriteBytes;

const std::string kStoriesGguf = std::string(TTT_FIXTURES_DIR) + "/stories260K/stories260K.gguf";

std::string StatusText(const absl::Status& s) { return std::string(s.message()); }

TEST(GgufFileTest, ReadsStoriesMetadataAndTensors) {
  auto gguf = GgufFile::Open(kStoriesGguf);
  ASSERT_TRUE(gguf.ok()) << gguf.status();
  GgufFile& f = **gguf;
  EXPECT_TRUE(f.version() == 2 || f.version() == 3);
  EXPECT_EQ(*f.GetString("general.architecture"), "llama");
  EXPECT_EQ(*f.GetInt("llama.embedding_length"), 64);
  EXPECT_EQ(*f.GetInt("llama.block_count"), 5);
  EXPECT_EQ(*f.GetInt("llama.attention.head_count"), 8);
  EXPECT_EQ(*f.GetInt("llama.attention.head_count_kv"), 4);
  EXPECT_EQ(*f.GetInt("llama.feed_forward_length"), 172);
  auto tokens = f.GetStringArray("tokenizer.ggml.tokens");
  ASSERT_TRUE(tokens.ok()) << tokens.status();
  EXPECT_EQ(tokens->size(), 512u);
  EXPECT_EQ(f.TypeOf("tokenizer.ggml.tokens"), GgufType::kArray);
  EXPECT_TRUE(f.Has("general.architecture"));
  EXPECT_FALSE(f.Has("no.such.key"));

  const GgufTensorInfo* info = f.FindTensor("token_embd.weight");
  ASSERT_NE(info, nullptr);
  EXPECT_EQ(info->shape, (Shape{512, 64}));
  EXPECT_EQ(info->ggml_type, 0u);
  auto emb = f.LoadTensor("token_embd.weight");
  ASSERT_TRUE(emb.ok()) << emb.status();
  EXPECT_EQ(emb->dtype(), DType::kF32);
  EXPECT_EQ(emb->shape(), (Shape{512, 64}));
  // Zero-copy: the tensor borrows the whole mapped file rather than owning a copy.
  auto bytes = testing::ReadBytes(kStoriesGguf);
  EXPECT_EQ(emb->storage()->size(), bytes.size());
  EXPECT_EQ(0, std::memcmp(emb->raw_data(), bytes.data() + info->offset, info->bytes));
  EXPECT_EQ(f.tensors().size(), 3u + 9u * 5u) << "token_embd, output_norm, output and 9 tensors per layer";
}

TEST(GgufFileTest, TypedGettersRejectOtherKinds) {
  auto gguf = GgufFile::Open(kStoriesGguf);
  ASSERT_TRUE(gguf.ok());
  auto s = (*gguf)->GetInt("general.architecture");
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(StatusText(s.status()), HasSubstr("general.architecture"));
  EXPECT_THAT(StatusText(s.status()), HasSubstr("string"));
  EXPECT_FALSE((*gguf)->GetString("tokenizer.ggml.tokens").ok());
  EXPECT_FALSE((*gguf)->GetIntArray("tokenizer.ggml.tokens").ok());
  auto missing = (*gguf)->GetFloat("llama.nope");
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ((*gguf)->LoadTensor("nope").status().code(), absl::StatusCode::kNotFound);
}

std::string AllTypesFile(uint32_t version, uint64_t alignment) {
  GgufWriter w;
  std::string u8, i16, nested;
  AppendPod<uint8_t>(u8, 200);
  AppendPod<int16_t>(i16, -300);
  // Array of 2 arrays of i32.
  AppendPod<uint32_t>(nested, 5);
  AppendPod<uint64_t>(nested, 2);
  for (int a = 0; a < 2; ++a) {
    AppendPod<uint32_t>(nested, 5);
    AppendPod<uint64_t>(nested, 1);
    AppendPod<int32_t>(nested, a);
  }
  std::string nested_outer;
  AppendPod<uint32_t>(nested_outer, 9);
  AppendPod<uint64_t>(nested_outer, 2);
  nested_outer += nested.substr(12);
  w.AddRaw("t.u8", 0, u8).AddRaw("t.i16", 3, i16).AddU32("t.u32", 4000000000u).AddI32("t.i32", -7);
  w.AddF32("t.f32", 1.5f).AddBool("t.bool", true).AddU64("t.u64", 1ull << 40).AddF64("t.f64", 0.25);
  w.AddString("t.str", "hello").AddStringArray("t.strs", {"a", "", "ccc"});
  w.AddI32Array("t.ints", {3, -4, 5}).AddRaw("t.nested", 9, nested_outer);
  w.AddU32("general.alignment", static_cast<uint32_t>(alignment));

  std::vector<float> values = {1.0f, -2.5f, 0.125f, 3.0f, 4.0f, -0.0f};
  w.AddTensor("f32", {3, 2}, 0, FloatBytes(values));
  std::string f16, bf16;
  for (float v : values) {
    AppendPod(f16, F32ToF16(v));
    AppendPod(bf16, F32ToBF16(v));
  }
  w.AddTensor("f16", {3, 2}, 1, f16);
  w.AddTensor("bf16", {6}, 30, bf16);
  std::string q8;
  for (int block = 0; block < 2; ++block) {
    AppendPod(q8, F32ToF16(block == 0 ? 0.5f : 2.0f));
    for (int i = 0; i < 32; ++i) AppendPod<int8_t>(q8, static_cast<int8_t>(i - 16));
  }
  w.AddTensor("q8", {32, 2}, 8, q8);
  w.AddTensor("q2k", {256}, 10, std::string(84, '\0'));
  return w.Build(version, alignment);
}

TEST(GgufFileTest, ReadsEveryValueTypeInVersions2And3) {
  for (uint32_t version : {2u, 3u}) {
    for (uint64_t alignment : {1u, 32u, 64u}) {  // 1: data may be misaligned, so it is copied
      TempDir dir;
      std::string path = dir.File("all.gguf");
      WriteBytes(path, AllTypesFile(version, alignment));
      auto gguf = GgufFile::Open(path);
      ASSERT_TRUE(gguf.ok()) << gguf.status();
      GgufFile& f = **gguf;
      EXPECT_EQ(f.version(), version);
      EXPECT_EQ(*f.GetInt("t.u8"), 200);
      EXPECT_EQ(*f.GetInt("t.i16"), -300);
      EXPECT_EQ(*f.GetInt("t.u32"), 4000000000);
      EXPECT_EQ(*f.GetInt("t.i32"), -7);
      EXPECT_EQ(*f.GetFloat("t.f32"), 1.5);
      EXPECT_EQ(*f.GetFloat("t.i32"), -7.0);
      EXPECT_EQ(*f.GetBool("t.bool"), true);
      EXPECT_FALSE(f.GetBool("t.i32").ok());
      EXPECT_EQ(*f.GetInt("t.u64"), int64_t{1} << 40);
      EXPECT_EQ(*f.GetFloat("t.f64"), 0.25);
      EXPECT_FALSE(f.GetInt("t.f64").ok());
      EXPECT_EQ(*f.GetString("t.str"), "hello");
      EXPECT_EQ(*f.GetStringArray("t.strs"), (std::vector<std::string>{"a", "", "ccc"}));
      EXPECT_EQ(*f.GetIntArray("t.ints"), (std::vector<int64_t>{3, -4, 5}));
      EXPECT_EQ(*f.GetFloatArray("t.ints"), (std::vector<double>{3, -4, 5}));
      EXPECT_EQ(f.TypeOf("t.nested"), GgufType::kArray);
      EXPECT_FALSE(f.GetIntArray("t.nested").ok());
      EXPECT_EQ(f.Keys().front(), "t.u8");
      EXPECT_EQ(f.Keys().size(), 13u);

      std::vector<float> expected = {1.0f, -2.5f, 0.125f, 3.0f, 4.0f, -0.0f};
      for (const char* name : {"f32", "f16", "bf16"}) {
        auto t = f.LoadTensor(name);
        ASSERT_TRUE(t.ok()) << t.status();
        EXPECT_EQ(t->ToF32(), expected) << name;
        EXPECT_EQ(f.FindTensor(name)->offset % alignment, 0u);
      }
      EXPECT_EQ(f.FindTensor("f32")->shape, (Shape{2, 3}));
      EXPECT_EQ(f.LoadTensor("f16")->dtype(), DType::kF16);
      EXPECT_EQ(f.LoadTensor("bf16")->dtype(), DType::kBF16);
      auto q8 = f.LoadTensor("q8");
      ASSERT_TRUE(q8.ok()) << q8.status();
      EXPECT_EQ(q8->dtype(), DType::kQ8_0);  // the file's blocks, decoded on use
      EXPECT_EQ(q8->shape(), (Shape{2, 32}));
      std::vector<float> q = q8->ToF32();
      EXPECT_EQ(q[0], -8.0f);
      EXPECT_EQ(q[17], 0.5f);
      EXPECT_EQ(q[32], -32.0f);
      EXPECT_EQ(q[63], 30.0f);
      auto q2k = f.LoadTensor("q2k");
      ASSERT_FALSE(q2k.ok());
      EXPECT_THAT(StatusText(q2k.status()), HasSubstr("Q2_K"));
    }
  }
}

void ExpectOpenFails(const std::string& bytes, const std::string& fragment) {
  TempDir dir;
  std::string path = dir.File("bad.gguf");
  WriteBytes(path, bytes);
  auto gguf = GgufFile::Open(path);
  ASSERT_FALSE(gguf.ok()) << "expected an error mentioning '" << fragment << "'";
  EXPECT_THAT(StatusText(gguf.status()), HasSubstr(fragment));
}

std::string Header(uint32_t version, uint64_t tensors, uint64_t kvs) {
  std::string out = "GGUF";
  AppendPod(out, version);
  AppendPod(out, tensors);
  AppendPod(out, kvs);
  return out;
}

TEST(GgufFileTest, RejectsHostileHeaders) {
  ExpectOpenFails("GGML\x03\0\0\0", "not a GGUF file");
  ExpectOpenFails(Header(1, 0, 0), "version 1");
  ExpectOpenFails(Header(0x03000000, 0, 0), "big-endian");
  // Huge counts with nothing behind them: must fail at the end of the file, not allocate or spin.
  ExpectOpenFails(Header(3, 0, ~0ull), "metadata entry 0");
  ExpectOpenFails(Header(3, ~0ull, 0), "tensor info 0");
  std::string huge_key = Header(3, 0, 1);
  AppendPod<uint64_t>(huge_key, ~0ull - 4);
  huge_key += "abcdefgh";
  ExpectOpenFails(huge_key, "metadata key");
  std::string huge_array = Header(3, 0, 1);
  GgufWriter::AppendString(huge_array, "k");
  AppendPod<uint32_t>(huge_array, 9);
  AppendPod<uint32_t>(huge_array, 8);
  AppendPod<uint64_t>(huge_array, 1ull << 61);
  huge_array += std::string(64, '\0');
  ExpectOpenFails(huge_array, "cannot fit");
  std::string huge_u64_array = Header(3, 0, 1);
  GgufWriter::AppendString(huge_u64_array, "k");
  AppendPod<uint32_t>(huge_u64_array, 9);
  AppendPod<uint32_t>(huge_u64_array, 10);
  AppendPod<uint64_t>(huge_u64_array, 1ull << 62);
  ExpectOpenFails(huge_u64_array, "runs past the end");
  std::string bad_type = Header(3, 0, 1);
  GgufWriter::AppendString(bad_type, "k");
  AppendPod<uint32_t>(bad_type, 13);
  ExpectOpenFails(bad_type, "invalid value type 13");
  // Deeply nested arrays of arrays.
  std::string deep = Header(3, 0, 1);
  GgufWriter::AppendString(deep, "k");
  AppendPod<uint32_t>(deep, 9);
  for (int i = 0; i < 100; ++i) {
    AppendPod<uint32_t>(deep, 9);
    AppendPod<uint64_t>(deep, 1);
  }
  ExpectOpenFails(deep, "nested");
  ExpectOpenFails(GgufWriter().AddString("a", "x").AddString("a", "y").Build(), "appears twice");
  ExpectOpenFails(GgufWriter().AddU32("general.alignment", 24).Build(), "power of two");
  ExpectOpenFails(GgufWriter().AddString("general.alignment", "x").Build(), "general.alignment");
}

TEST(GgufFileTest, RejectsBadTensorDirectories) {
  std::string data = FloatBytes({1, 2, 3, 4});
  // Data that is not in the file.
  std::string truncated = GgufWriter().AddTensor("w", {4}, 0, data).Build();
  truncated.resize(truncated.size() - 20);  // past the 16 bytes of zero padding into the data
  ExpectOpenFails(truncated, "'w'");
  // Offset beyond the end, dimension overflow, too many dims, misaligned offset, bad block multiple.
  auto directory = [](std::vector<uint64_t> ne, uint32_t type, uint64_t offset) {
    std::string out = Header(3, 1, 0);
    GgufWriter::AppendString(out, "w");
    AppendPod<uint32_t>(out, ne.size());
    for (uint64_t d : ne) AppendPod(out, d);
    AppendPod(out, type);
    AppendPod(out, offset);
    out.resize(128, '\0');
    return out;
  };
  ExpectOpenFails(directory({4}, 0, 1ull << 40), "runs past the end");
  ExpectOpenFails(directory({4}, 0, ~0ull & ~31ull), "runs past the end");
  ExpectOpenFails(directory({1ull << 40, 1ull << 40}, 0, 0), "implausibly large");
  ExpectOpenFails(directory({1, 1, 1, 1, 1, 1, 1, 1, 1}, 0, 0), "dimensions");
  ExpectOpenFails(directory({4}, 0, 8), "alignment");
  ExpectOpenFails(directory({31}, 8, 0), "block size");
  ExpectOpenFails(directory({1ull << 45}, 0, 0), "runs past the end");
  std::string twice = GgufWriter().AddTensor("w", {4}, 0, data).AddTensor("w", {4}, 0, data).Build();
  ExpectOpenFails(twice, "appears twice");
  // An unknown type opens (metadata stays readable) but cannot be loaded.
  TempDir dir;
  WriteBytes(dir.File("u.gguf"), directory({4}, 77, 0));
  auto gguf = GgufFile::Open(dir.File("u.gguf"));
  ASSERT_TRUE(gguf.ok()) << gguf.status();
  auto t = (*gguf)->LoadTensor("w");
  ASSERT_FALSE(t.ok());
  EXPECT_THAT(StatusText(t.status()), HasSubstr("unknown type 77"));
}

TEST(GgufFileTest, EveryTruncationOfASmallFileFailsCleanly) {
  std::string full = AllTypesFile(3, 32);
  TempDir dir;
  std::string path = dir.File("cut.gguf");
  for (size_t cut = 0; cut < full.size(); ++cut) {
    WriteBytes(path, full.substr(0, cut));
    auto gguf = GgufFile::Open(path);
    if (!gguf.ok()) continue;
    // Only the zero padding after the last tensor may be cut while the file still opens.
    for (const GgufTensorInfo& t : (*gguf)->tensors()) EXPECT_LE(t.offset + t.bytes, cut);
  }
}

TEST(GgufFileTest, TruncatedStoriesFileFailsWithOffset) {
  std::string full = testing::ReadBytes(kStoriesGguf);
  TempDir dir;
  std::string path = dir.File("cut.gguf");
  for (size_t cut : {size_t{0}, size_t{3}, size_t{23}, size_t{100}, size_t{5000}, full.size() / 2,
                     full.size() - 1}) {
    WriteBytes(path, full.substr(0, cut));
    auto gguf = GgufFile::Open(path);
    ASSERT_FALSE(gguf.ok()) << "cut at " << cut;
    EXPECT_THAT(StatusText(gguf.status()), HasSubstr(path));
  }
}

}  // namespace
}  // namespace ttt::formats
