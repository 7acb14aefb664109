// The zoo's bert against llama.cpp's embeddings of the same weights (reference.json, embed-N-POOLING.f32): token
// ids, every token's last hidden state and the mean/cls/last pooled vectors, from the HF folder and the GGUF;
// reported for `ttt-gov matrix` as TTT_METRIC pcc (worst Pearson correlation of a pooled vector) and logit_error
// (worst max|error| / max|reference| of the hidden states), on the device and mode the matrix selects
// (TTT_DEVICE / TTT_MODE; the exact f32 cpu encoder when unset). Only the exact encoder asserts a tolerance here:
// an emulated device's block floats move the vectors by design, and its floor is the target's in model.textproto.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>

#include "core/factory/encoder_loader.h"
#include "core/generation/embed.h"
#include "core/runtime/mapped_file.h"
#include "core/testing/device_env.h"
#include "core/testing/reference_logits.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"

namespace {

// A missing file reads as empty: the size checks below then fail and name the case.
std::vector<float> ReadF32(const std::string& path) {
  return ttt::testing::ReadF32File(path).value_or(std::vector<float>{});
}

class ZooEmbeddingsTest : public ::testing::TestWithParam<const char*> {};

TEST_P(ZooEmbeddingsTest, MatchLlamaCpp) {
  auto build = ttt::testing::BuildOptionsFromEnvironment();
  ASSERT_TRUE(build.ok()) << build.status();
  ttt::EncoderLoadOptions options;
  options.run_as.device = build->device;
  options.run_as.mode = build->mode;
  auto loaded = ttt::LoadEncoder(std::string(MODEL_DATA) + "/" + GetParam(), options);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  const nlohmann::json ref = nlohmann::json::parse(ttt::ReadFileToString(MODEL_DATA "/reference.json").value_or(""));
  double worst_pcc = 1, worst_error = 0;
  for (const auto& c : ref["cases"]) {
    const std::string text = c["text"];
    const std::vector<int32_t> tokens = c["tokens"];
    const auto files = c["embeddings"].get<std::map<std::string, std::string>>();
    auto states = loaded->encoder->Forward(tokens);
    ASSERT_TRUE(states.ok()) << states.status();
    const std::vector<float> expected = ReadF32(std::string(MODEL_DATA) + "/" + files.at("none"));
    ASSERT_EQ(states->size(), expected.size());
    const int64_t hidden = loaded->encoder->hidden_dim();
    worst_error = std::max(worst_error, ttt::testing::CompareLogits(*states, expected, hidden).relative_error());
    for (const char* pooling : {"mean", "cls", "last"}) {
      ttt::EmbedOptions options;
      options.pooling = *ttt::ParsePooling(pooling);
      auto e = ttt::Embed(*loaded->encoder, *loaded->tokenizer, {text}, options);
      ASSERT_TRUE(e.ok()) << e.status();
      EXPECT_EQ((*e)[0].tokens, tokens) << text;
      const std::vector<float> pooled = ReadF32(std::string(MODEL_DATA) + "/" + files.at(pooling));
      ASSERT_EQ(pooled.size(), (*e)[0].vector.size()) << files.at(pooling);
      // Pearson correlation of the two vectors: CompareLogits over one row as wide as the vector.
      const ttt::testing::LogitsAgreement agreement =
          ttt::testing::CompareLogits((*e)[0].vector, pooled, static_cast<int64_t>(pooled.size()));
      worst_pcc = std::min(worst_pcc, agreement.pcc);
    }
  }
  std::printf("TTT_METRIC device=%s pcc=%.8f logit_error=%.3g\n", build->device.c_str(), worst_pcc, worst_error);
  if (ttt::testing::IsExactReference(*build)) {
    EXPECT_GE(worst_pcc, 0.9999);
    EXPECT_LE(worst_error, 1e-3);
  }
}

INSTANTIATE_TEST_SUITE_P(Formats, ZooEmbeddingsTest, ::testing::Values("hf", "model-f32.gguf"),
                         [](const auto& info) { return std::string(info.param) == "hf" ? "hf" : "gguf"; });

}  // namespace
