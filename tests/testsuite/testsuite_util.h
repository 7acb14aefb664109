// Fixture models for the TestSuite tests: a checkpoint as loaded and a model built from (a copy of) it.
#pragma once

#include <memory>
#include <string>

#include "core/formats/checkpoint.h"
#include "core/patterns/causal_lm.h"
#include "gtest/gtest.h"

namespace ttt::testing {

inline std::string FixturePath(const std::string& relative) { return std::string(TTT_FIXTURES_DIR) + "/" + relative; }

inline std::shared_ptr<formats::Checkpoint> LoadFixture(const std::string& relative) {
  auto ckpt = formats::LoadCheckpoint(FixturePath(relative));
  if (!ckpt.ok()) {
    ADD_FAILURE() << ckpt.status();
    return nullptr;
  }
  return std::make_shared<formats::Checkpoint>(*std::move(ckpt));
}

inline std::shared_ptr<CausalLm> BuildFixture(const formats::Checkpoint& ckpt, DType dtype,
                                              const WeightMap* weights = nullptr) {
  auto model = CausalLm::Create(ckpt.spec, weights ? *weights : ckpt.weights, BuildOptions{.linear_weight_dtype = dtype});
  if (!model.ok()) {
    ADD_FAILURE() << model.status();
    return nullptr;
  }
  return std::shared_ptr<CausalLm>(std::move(*model));
}

}  // namespace ttt::testing
