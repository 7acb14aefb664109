// The zoo's gpt2 against its outside reference: llama.cpp's logits (reference.json, logits-N.f32).
#include <cmath>
#include <cstring>
#include <fstream>
#include <sstream>

#include "core/factory/model_loader.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"

namespace {

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class ZooLogitsTest : public ::testing::TestWithParam<const char*> {};

TEST_P(ZooLogitsTest, MatchesLlamaCpp) {
  auto loaded = ttt::LoadModel(std::string(MODEL_DATA) + "/" + GetParam(), "", /*require_tokenizer=*/false);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  const ttt::CausalLm& model = *loaded->model;
  auto reference = nlohmann::json::parse(ReadAll(MODEL_DATA "/reference.json"));
  for (const auto& c : reference["cases"]) {
    const auto tokens = c["tokens"].get<std::vector<int32_t>>();
    const int64_t vocab = c["shape"][1].get<int64_t>();
    ASSERT_EQ(vocab, model.vocab_size());
    std::string raw = ReadAll(std::string(MODEL_DATA) + "/" + c["logits_file"].get<std::string>());
    std::vector<float> expected(raw.size() / sizeof(float));
    std::memcpy(expected.data(), raw.data(), raw.size());
    auto state = model.NewState(1, static_cast<int64_t>(tokens.size()));
    ASSERT_TRUE(state.ok());
    std::vector<float> logits(tokens.size() * vocab);
    ASSERT_TRUE(model.Prefill(**state, 0, tokens, logits.data(), true).ok());
    double max_abs = 0;
    for (float v : expected) max_abs = std::max(max_abs, std::fabs(static_cast<double>(v)));
    for (size_t t = 0; t < tokens.size(); ++t) {
      const float* a = logits.data() + t * vocab;
      const float* e = expected.data() + t * vocab;
      for (int64_t v = 0; v < vocab; ++v) ASSERT_NEAR(a[v], e[v], 1e-3 * max_abs) << "position " << t;
      EXPECT_EQ(std::max_element(a, a + vocab) - a, std::max_element(e, e + vocab) - e) << "position " << t;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Formats, ZooLogitsTest, ::testing::Values("hf"),
                         [](const auto& info) { return std::string(info.param) == "hf" ? "hf" : "gguf"; });

}  // namespace
