// Reading the fixtures' reference outputs (llama.cpp logits, run.c text) in tests.
#pragma once

#include <cmath>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "core/factory/model_loader.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"

namespace ttt::testing {

inline std::string Fixture(const std::string& relative) { return std::string(TTT_FIXTURES_DIR) + "/" + relative; }

inline std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct ReferenceCase {
  std::vector<int32_t> tokens;
  std::vector<float> logits;  // [tokens, vocab]
  int64_t vocab = 0;
};

// Cases of a fixture's reference.json (computed by llama.cpp) with their logits files.
inline std::vector<ReferenceCase> LoadReferenceCases(const std::string& fixture_dir) {
  auto json = nlohmann::json::parse(ReadAll(Fixture(fixture_dir + "/reference.json")));
  std::vector<ReferenceCase> cases;
  for (const auto& c : json["cases"]) {
    ReferenceCase rc;
    rc.tokens = c["tokens"].get<std::vector<int32_t>>();
    rc.vocab = c["shape"][1].get<int64_t>();
    std::string raw = ReadAll(Fixture(fixture_dir + "/" + c["logits_file"].get<std::string>()));
    rc.logits.resize(raw.size() / sizeof(float));
    std::memcpy(rc.logits.data(), raw.data(), raw.size());
    cases.push_back(std::move(rc));
  }
  return cases;
}

// Prefill logits of every position of `tokens`.
inline std::vector<float> PrefillLogits(const CausalLm& model, const std::vector<int32_t>& tokens) {
  auto state = model.NewState(1, static_cast<int64_t>(tokens.size()));
  EXPECT_TRUE(state.ok()) << state.status();
  std::vector<float> logits(tokens.size() * model.vocab_size());
  absl::Status s = model.Prefill(**state, 0, tokens, logits.data(), true);
  EXPECT_TRUE(s.ok()) << s;
  return logits;
}

// Logits agree within `relative` * max|reference| and the argmax agrees at every position.
inline void ExpectLogitsMatch(const std::vector<float>& actual, const std::vector<float>& expected, int64_t vocab,
                              double relative) {
  ASSERT_EQ(actual.size(), expected.size());
  double max_abs = 0;
  for (float v : expected) max_abs = std::max(max_abs, std::fabs(static_cast<double>(v)));
  const double tolerance = relative * max_abs;
  const int64_t positions = static_cast<int64_t>(expected.size()) / vocab;
  for (int64_t t = 0; t < positions; ++t) {
    const float* a = actual.data() + t * vocab;
    const float* e = expected.data() + t * vocab;
    double worst = 0;
    for (int64_t v = 0; v < vocab; ++v) worst = std::max(worst, std::fabs(static_cast<double>(a[v] - e[v])));
    EXPECT_LE(worst, tolerance) << "position " << t << ": max |difference| " << worst << " > " << tolerance;
    EXPECT_EQ(std::max_element(a, a + vocab) - a, std::max_element(e, e + vocab) - e) << "argmax at position " << t;
  }
}

}  // namespace ttt::testing
