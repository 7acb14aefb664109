// The zoo's bert against llama.cpp's embeddings of the same weights (reference.json, embed-N-POOLING.f32): token
// ids, every token's last hidden state and the mean/cls/last pooled vectors, from the HF folder and the GGUF;
// reported for `ttt-gov matrix` as TTT_METRIC pcc (worst Pearson correlation of a pooled vector) and logit_error
// (worst max|error| / max|reference| of the hidden states).
#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>

#include "core/factory/encoder_loader.h"
#include "core/generation/embed.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"

namespace {

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<float> ReadF32(const std::string& path) {
  const std::string bytes = ReadAll(path);
  std::vector<float> v(bytes.size() / sizeof(float));
  std::memcpy(v.data(), bytes.data(), v.size() * sizeof(float));
  return v;
}

double Pearson(const std::vector<float>& a, const std::vector<float>& b) {
  double ma = 0, mb = 0;
  for (size_t i = 0; i < a.size(); ++i) ma += a[i], mb += b[i];
  ma /= a.size(), mb /= b.size();
  double ab = 0, aa = 0, bb = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    ab += (a[i] - ma) * (b[i] - mb), aa += (a[i] - ma) * (a[i] - ma), bb += (b[i] - mb) * (b[i] - mb);
  }
  return ab / std::sqrt(aa * bb);
}

class ZooEmbeddingsTest : public ::testing::TestWithParam<const char*> {};

TEST_P(ZooEmbeddingsTest, MatchLlamaCpp) {
  auto loaded = ttt::LoadEncoder(std::string(MODEL_DATA) + "/" + GetParam());
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  const nlohmann::json ref = nlohmann::json::parse(ReadAll(MODEL_DATA "/reference.json"));
  double worst_pcc = 1, worst_error = 0;
  for (const auto& c : ref["cases"]) {
    const std::string text = c["text"];
    const std::vector<int32_t> tokens = c["tokens"];
    const auto files = c["embeddings"].get<std::map<std::string, std::string>>();
    auto states = loaded->encoder->Forward(tokens);
    ASSERT_TRUE(states.ok()) << states.status();
    const std::vector<float> expected = ReadF32(std::string(MODEL_DATA) + "/" + files.at("none"));
    ASSERT_EQ(states->size(), expected.size());
    double max_ref = 0, max_err = 0;
    for (size_t i = 0; i < expected.size(); ++i) {
      max_ref = std::max(max_ref, double(std::abs(expected[i])));
      max_err = std::max(max_err, double(std::abs((*states)[i] - expected[i])));
    }
    worst_error = std::max(worst_error, max_err / max_ref);
    for (const char* pooling : {"mean", "cls", "last"}) {
      ttt::EmbedOptions options;
      options.pooling = *ttt::ParsePooling(pooling);
      auto e = ttt::Embed(*loaded->encoder, *loaded->tokenizer, {text}, options);
      ASSERT_TRUE(e.ok()) << e.status();
      EXPECT_EQ((*e)[0].tokens, tokens) << text;
      worst_pcc = std::min(worst_pcc, Pearson((*e)[0].vector, ReadF32(std::string(MODEL_DATA) + "/" + files.at(pooling))));
    }
  }
  std::printf("TTT_METRIC device=cpu pcc=%.8f logit_error=%.3g\n", worst_pcc, worst_error);
  EXPECT_GE(worst_pcc, 0.9999);
  EXPECT_LE(worst_error, 1e-3);
}

INSTANTIATE_TEST_SUITE_P(Formats, ZooEmbeddingsTest, ::testing::Values("hf", "model-f32.gguf"),
                         [](const auto& info) { return std::string(info.param) == "hf" ? "hf" : "gguf"; });

}  // namespace
