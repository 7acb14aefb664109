// Fixture paths and gtest assertions over the library's reference-logits tools (core/testing).
#pragma once

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "core/factory/model_loader.h"
#include "core/testing/reference_logits.h"
#include "gtest/gtest.h"

namespace ttt::testing {

inline std::string Fixture(const std::string& relative) { return std::string(TTT_FIXTURES_DIR) + "/" + relative; }

inline std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The reference cases of a fixture folder (reference.json, computed by llama.cpp).
inline std::vector<ReferenceCase> FixtureReferenceCases(const std::string& fixture_dir) {
  auto cases = LoadReferenceCases(Fixture(fixture_dir));
  EXPECT_TRUE(cases.ok()) << cases.status();
  return cases.ok() ? *cases : std::vector<ReferenceCase>{};
}

inline std::vector<float> PrefillLogitsOrFail(const CausalLm& model, const std::vector<int32_t>& tokens) {
  auto logits = PrefillLogits(model, tokens);
  EXPECT_TRUE(logits.ok()) << logits.status();
  return logits.ok() ? *logits : std::vector<float>(tokens.size() * model.vocab_size());
}

// The projections of `model` in the order a decode step runs them: per layer wqkv, wo, the MLP's up (gate) and
// down projections; the head last. Written out here, independently of CausalLm's own list, to test it.
inline std::vector<const Linear*> ProjectionsInDecodeOrder(const CausalLm& model) {
  std::vector<const Linear*> order;
  for (int64_t i = 0; i < model.num_layers(); ++i) {
    const DecoderLayer& layer = model.layer(i);
    order.insert(order.end(), {&layer.attention().qkv_projection(), &layer.attention().output_projection(),
                               &layer.mlp()->up_projection(), &layer.mlp()->down_projection()});
  }
  order.push_back(&model.lm_head().projection());
  return order;
}

// Logits agree within `relative` * max|reference| and the argmax agrees at every position.
inline void ExpectLogitsMatch(const std::vector<float>& actual, const std::vector<float>& expected, int64_t vocab,
                              double relative) {
  ASSERT_EQ(actual.size(), expected.size());
  const LogitsAgreement a = CompareLogits(actual, expected, vocab);
  EXPECT_LE(a.relative_error(), relative) << "max |difference| " << a.max_abs_error << " at position "
                                          << a.worst_position << " (max |reference| " << a.max_abs_reference << ")";
  EXPECT_EQ(a.first_argmax_mismatch, -1) << "argmax differs at position " << a.first_argmax_mismatch;
}

}  // namespace ttt::testing
