// What the zoo's t5 tests share: the reference's cases (source ids, decoder ids, llama.cpp's logits file) and
// every decoder position's logits of one case (the source encoded once, the decoder ids run as one batch).
#pragma once

#include <string>
#include <vector>

#include "core/patterns/seq2seq/seq2seq_lm.h"
#include "core/runtime/mapped_file.h"
#include "core/testing/reference_logits.h"
#include "nlohmann/json.hpp"

namespace t5_zoo {

struct Case {
  std::string text;
  std::vector<int32_t> source, target;
  std::string logits_file;  // llama.cpp's [target.size(), vocab]
};

inline std::vector<Case> Cases() {
  const nlohmann::json j = nlohmann::json::parse(ttt::ReadFileToString(MODEL_DATA "/reference.json").value_or("{}"));
  std::vector<Case> cases;
  for (const auto& c : j.value("cases", nlohmann::json::array())) {
    cases.push_back({c["text"].get<std::string>(), c["source_tokens"].get<std::vector<int32_t>>(),
                     c["decoder_tokens"].get<std::vector<int32_t>>(), c["logits_file"].get<std::string>()});
  }
  return cases;
}

// A missing file reads as empty: the callers' size checks then fail and name it.
inline std::vector<float> ReadF32(const std::string& path) {
  return ttt::testing::ReadF32File(path).value_or(std::vector<float>{});
}

// Empty on an error (the callers' size checks then fail).
inline std::vector<float> DecoderLogits(const ttt::Seq2SeqLm& model, const Case& c) {
  absl::StatusOr<std::vector<float>> memory = model.Encode(c.source);
  if (!memory.ok()) return {};
  absl::StatusOr<ttt::Seq2SeqLm::DecoderState> state = model.StartDecoding(*memory);
  if (!state.ok()) return {};
  absl::StatusOr<std::vector<float>> logits = model.Decode(*state, c.target);
  return logits.ok() ? *std::move(logits) : std::vector<float>{};
}

}  // namespace t5_zoo
