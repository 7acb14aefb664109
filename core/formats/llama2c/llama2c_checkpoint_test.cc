#include "core/formats/llama2c/llama2c_checkpoint.h"

#include <cstring>
#include <string>
#include <vector>

#include "core/formats/testing/format_writers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace ttt::formats {
namespace {

using ::testing::HasSubstr;
using testing::AppendPod;
using testing::TempDir;
using testing::WriteBytes;

const std::string kStoriesBin = std::string(TTT_FIXTURES_DIR) + "/stories260K/stories260K.bin";

float FloatAt(const std::string& bytes, size_t index) {
  float f;
  std::memcpy(&f, bytes.data() + 28 + index * 4, 4);
  return f;
}

TEST(Llama2cCheckpointTest, ReadsStories260K) {
  auto model = LoadLlama2c(kStoriesBin);
  ASSERT_TRUE(model.ok()) << model.status();
  const Llama2cConfig& c = model->config;
  EXPECT_EQ(c.dim, 64);
  EXPECT_EQ(c.hidden_dim, 172);
  EXPECT_EQ(c.n_layers, 5);
  EXPECT_EQ(c.n_heads, 8);
  EXPECT_EQ(c.n_kv_heads, 4);
  EXPECT_EQ(c.vocab_size, 512);
  EXPECT_EQ(c.seq_len, 512);
  EXPECT_TRUE(c.shared_classifier);
  EXPECT_EQ(model->spec.layer().attention().rope().convention(), spec::RopeSpec::INTERLEAVED);
  EXPECT_EQ(model->spec.layer().attention().head_dim(), 8u);
  EXPECT_TRUE(model->spec.lm_head().tied());
  EXPECT_FALSE(model->weights.contains("lm_head"));
  // 1 embedding + 9 per layer + final norm.
  EXPECT_EQ(model->weights.size(), 1u + 9u * 5u + 1u);
  EXPECT_EQ(model->weights.at("layers.2.attn.wk").shape(), (Shape{32, 64}));
  EXPECT_EQ(model->weights.at("layers.4.mlp.w_down").shape(), (Shape{64, 172}));

  // Spot-check offsets against the raw file: the layout of run.c's memory_map_weights.
  std::string bytes = testing::ReadBytes(kStoriesBin);
  const size_t emb = 512 * 64, att = 5 * 64, wq = 5 * 64 * 64, wk = 5 * 32 * 64;
  EXPECT_EQ(model->weights.at("tok_embeddings").ToF32()[77], FloatAt(bytes, 77));
  EXPECT_EQ(model->weights.at("layers.1.attn_norm.weight").ToF32()[3], FloatAt(bytes, emb + 64 + 3));
  EXPECT_EQ(model->weights.at("layers.3.attn.wk").ToF32()[5], FloatAt(bytes, emb + att + wq + 3 * 32 * 64 + 5));
  EXPECT_EQ(model->weights.at("layers.0.attn.wv").ToF32()[0], FloatAt(bytes, emb + att + wq + wk));
  const size_t before_final = emb + att + wq + 2 * wk + wq + att + 3 * 5 * 172 * 64;
  EXPECT_EQ(model->weights.at("final_norm.weight").ToF32()[63], FloatAt(bytes, before_final + 63));
  EXPECT_EQ(model->weights.at("layers.4.mlp.w_up").ToF32().back(), FloatAt(bytes, before_final - 1));
}

std::string Header(std::vector<int32_t> h) {
  std::string out;
  for (int32_t v : h) AppendPod(out, v);
  return out;
}

TEST(Llama2cCheckpointTest, ReadsUntiedClassifierAtTheEnd) {
  // dim 4, hidden 8, 1 layer, 2 heads, 1 kv head, vocab 3 (untied), seq_len 2; head size 2, kv_dim 2.
  const int dim = 4, hidden = 8, vocab = 3, kv = 2, seq = 2, head = 2;
  size_t floats = vocab * dim + dim + dim * dim + 2 * kv * dim + dim * dim + dim + 3 * hidden * dim + dim +
                  seq * head + vocab * dim;
  std::string bytes = Header({dim, hidden, 1, 2, 1, -vocab, seq});
  for (size_t i = 0; i < floats; ++i) AppendPod(bytes, static_cast<float>(i));
  TempDir dir;
  WriteBytes(dir.File("m.bin"), bytes);
  auto model = LoadLlama2c(dir.File("m.bin"));
  ASSERT_TRUE(model.ok()) << model.status();
  EXPECT_FALSE(model->config.shared_classifier);
  EXPECT_FALSE(model->spec.lm_head().tied());
  auto head_weights = model->weights.at("lm_head").ToF32();
  ASSERT_EQ(head_weights.size(), 12u);
  EXPECT_EQ(head_weights.front(), static_cast<float>(floats - 12));
  EXPECT_EQ(head_weights.back(), static_cast<float>(floats - 1));

  bytes.resize(bytes.size() - 4);
  WriteBytes(dir.File("cut.bin"), bytes);
  auto cut = LoadLlama2c(dir.File("cut.bin"));
  ASSERT_FALSE(cut.ok());
  EXPECT_THAT(std::string(cut.status().message()), HasSubstr("wcls"));
}

TEST(Llama2cCheckpointTest, RejectsBadHeadersAndTruncation) {
  auto expect_fails = [](const std::string& bytes, const std::string& fragment) {
    TempDir dir;
    WriteBytes(dir.File("bad.bin"), bytes);
    auto model = LoadLlama2c(dir.File("bad.bin"));
    ASSERT_FALSE(model.ok()) << fragment;
    EXPECT_THAT(std::string(model.status().message()), HasSubstr(fragment));
    EXPECT_THAT(std::string(model.status().message()), HasSubstr("bad.bin"));
  };
  expect_fails("", "28-byte header");
  expect_fails(Header({64, 172, 5}), "28-byte header");
  expect_fails(Header({0, 172, 5, 8, 4, 512, 512}), "dim");
  expect_fails(Header({64, 172, 5, 8, 4, 512, -1}), "seq_len");
  expect_fails(Header({64, 172, 5, 8, 3, 512, 512}), "n_kv_heads");
  expect_fails(Header({64, 172, 5, 7, 7, 512, 512}), "head size");
  expect_fails(Header({1 << 20, 1 << 20, 1 << 20, 1 << 10, 1 << 10, 1 << 20, 1 << 20}), "token_embedding_table");
  expect_fails(Header({64, 172, 5, 8, 4, -2147483647 - 1, 512}), "vocab_size");
  std::string full = testing::ReadBytes(kStoriesBin);
  TempDir dir;
  for (size_t cut : {size_t{27}, size_t{28}, size_t{1000}, size_t{131100}, full.size() / 2, size_t{1052539}}) {
    WriteBytes(dir.File("cut.bin"), full.substr(0, cut));
    EXPECT_FALSE(LoadLlama2c(dir.File("cut.bin")).ok()) << "cut at " << cut;
  }
}

}  // namespace
}  // namespace ttt::formats
