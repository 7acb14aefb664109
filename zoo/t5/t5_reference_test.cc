// The zoo's t5, exact f32 on the cpu: every case's decoder logits against the float64 reference of the weights
// as loaded (core/testing/reference_seq2seq.h: an independent implementation of the spec), from the HF folder and
// the GGUF, and against numpy's float64 forward pass of the source checkpoint (numpy-N.f32), which is tighter than
// llama.cpp's fp16 GELU table allows (t5_device_test).
#include <algorithm>
#include <cmath>

#include "core/factory/seq2seq_loader.h"
#include "core/testing/reference_seq2seq.h"
#include "gtest/gtest.h"
#include "t5_cases.h"

namespace {

class T5ReferenceTest : public ::testing::TestWithParam<const char*> {};

TEST_P(T5ReferenceTest, MatchesFloat64) {
  ttt::Seq2SeqLoadOptions options;
  options.require_tokenizer = false;
  auto loaded = ttt::LoadSeq2Seq(std::string(MODEL_DATA) + "/" + GetParam(), options);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  const ttt::testing::RefSeq2Seq reference = ttt::testing::RefFromModule(*loaded->model);
  int i = 0;
  for (const t5_zoo::Case& c : t5_zoo::Cases()) {
    const std::vector<float> logits = t5_zoo::DecoderLogits(*loaded->model, c);
    const ttt::testing::DVector exact = reference.Logits(c.source, c.target);
    const std::vector<float> numpy = t5_zoo::ReadF32(MODEL_DATA "/numpy-" + std::to_string(i++) + ".f32");
    ASSERT_EQ(logits.size(), exact.size()) << c.text;
    ASSERT_EQ(logits.size(), numpy.size()) << c.text;
    double max_ref = 0, to_reference = 0, to_numpy = 0;
    for (size_t k = 0; k < logits.size(); ++k) {
      max_ref = std::max(max_ref, std::abs(exact[k]));
      to_reference = std::max(to_reference, std::abs(logits[k] - exact[k]));
      to_numpy = std::max(to_numpy, double(std::abs(logits[k] - numpy[k])));
    }
    EXPECT_LE(to_reference / max_ref, 1e-5) << GetParam() << ": " << c.text;
    EXPECT_LE(to_numpy / max_ref, 1e-5) << GetParam() << ": " << c.text;
  }
}

INSTANTIATE_TEST_SUITE_P(Formats, T5ReferenceTest, ::testing::Values("hf", "model-f32.gguf"),
                         [](const auto& info) { return std::string(info.param) == "hf" ? "hf" : "gguf"; });

}  // namespace
