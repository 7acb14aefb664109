// T5 encoder-decoder (core/patterns/seq2seq, core/blocks/relative_attention, core/formats/t5) against llama.cpp's
// decoder logits of the same random weights (tests/fixtures/t5-tiny: gated-GELU v1.1 layout, and relu/: the
// original T5's ReLU feed-forward), from the Hugging Face folder and from the GGUF; against the fixture's float64
// numpy forward pass (tied/: a tied head, which llama.cpp does not rescale); the f32 path against the float64
// reference; and unsupported variants refused with errors that say what and where.
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iomanip>

#include "core/blocks/relative_attention/relative_position_bias.h"
#include "core/factory/seq2seq_loader.h"
#include "core/formats/t5/t5_checkpoint.h"
#include "core/formats/t5/t5_names.h"
#include "core/generation/seq2seq_generate.h"
#include "core/runtime/mapped_file.h"
#include "core/testing/reference_logits.h"
#include "core/testing/reference_seq2seq.h"
#include "core/testing/reference_weights.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"

namespace ttt {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

const std::string kFixture = std::string(TTT_FIXTURES_DIR) + "/t5-tiny";

std::string ReadAll(const std::string& path) { return ReadFileToString(path).value_or(""); }
std::vector<float> ReadF32(const std::string& path) { return testing::ReadF32File(path).value_or(std::vector<float>{}); }

struct Case {
  std::string text;
  std::vector<int32_t> source, target;
  std::string logits_file;
};

std::vector<Case> Cases(const std::string& dir) {
  const nlohmann::json j = nlohmann::json::parse(ReadAll(dir + "/reference.json"));
  std::vector<Case> cases;
  for (const auto& c : j["cases"]) {
    cases.push_back({c["text"].get<std::string>(), c["source_tokens"].get<std::vector<int32_t>>(),
                     c["decoder_tokens"].get<std::vector<int32_t>>(), c["logits_file"].get<std::string>()});
  }
  return cases;
}

LoadedSeq2Seq Load(const std::string& path, bool tokenizer = true) {
  Seq2SeqLoadOptions options;
  options.require_tokenizer = tokenizer;
  absl::StatusOr<LoadedSeq2Seq> loaded = LoadSeq2Seq(path, options);
  EXPECT_TRUE(loaded.ok()) << loaded.status();
  return loaded.ok() ? *std::move(loaded) : LoadedSeq2Seq{};
}

// Every decoder position's logits for one case, the source encoded once and the target run as one batch.
std::vector<float> Logits(const Seq2SeqLm& model, const Case& c) {
  absl::StatusOr<std::vector<float>> memory = model.Encode(c.source);
  EXPECT_TRUE(memory.ok()) << memory.status();
  if (!memory.ok()) return {};
  absl::StatusOr<Seq2SeqLm::DecoderState> state = model.StartDecoding(*memory);
  EXPECT_TRUE(state.ok()) << state.status();
  if (!state.ok()) return {};
  absl::StatusOr<std::vector<float>> logits = model.Decode(*state, c.target);
  EXPECT_TRUE(logits.ok()) << logits.status();
  return logits.ok() ? *logits : std::vector<float>{};
}

// --- against llama.cpp ------------------------------------------------------------------------------------------

struct Variant {
  std::string dir, model;  // fixture folder, and "hf" or "model-f32.gguf" in it
};

class T5Test : public ::testing::TestWithParam<Variant> {};

TEST_P(T5Test, LogitsMatchLlamaCpp) {
  const Variant v = GetParam();
  LoadedSeq2Seq m = Load(v.dir + "/" + v.model, /*tokenizer=*/false);
  ASSERT_NE(m.model, nullptr);
  double worst = 0;
  for (const Case& c : Cases(v.dir)) {
    const std::vector<float> logits = Logits(*m.model, c);
    const std::vector<float> expected = ReadF32(v.dir + "/" + c.logits_file);
    ASSERT_EQ(logits.size(), expected.size()) << c.text;
    const testing::LogitsAgreement a = testing::CompareLogits(logits, expected, m.model->vocab_size());
    // llama.cpp's GELU is an fp16 table of the tanh formula; this library computes the formula in f32.
    EXPECT_LE(a.relative_error(), 1e-3) << c.text;
    EXPECT_EQ(a.first_argmax_mismatch, -1) << c.text;
    worst = std::max(worst, a.relative_error());
  }
  std::cout << "[ figures  ] " << v.dir.substr(v.dir.rfind("/t5-tiny")) << " " << v.model
            << ": decoder logits within " << worst << " of max|logit| of llama.cpp's, argmax equal everywhere\n";
}

INSTANTIATE_TEST_SUITE_P(
    HfAndGguf, T5Test,
    ::testing::Values(Variant{kFixture, "hf"}, Variant{kFixture, "model-f32.gguf"}, Variant{kFixture + "/relu", "hf"},
                      Variant{kFixture + "/relu", "model-f32.gguf"}),
    [](const auto& info) {
      return std::string(info.param.dir == kFixture ? "gated_gelu_" : "relu_") +
             (info.param.model == "hf" ? "hf" : "gguf");
    });

// The fixture's float64 numpy forward pass: tighter than llama.cpp, whose GELU table is the whole gap (relu/
// agrees with numpy to 2.6e-7), and the only reference of the tied head.
TEST(T5Numpy, GatedGeluAndTiedHeadMatchTheFloat64ForwardPass) {
  for (const auto& [dir, prefix] : {std::pair{kFixture, std::string("numpy-")}, std::pair{kFixture + "/tied", std::string("logits-")}}) {
    LoadedSeq2Seq m = Load(dir + "/hf", /*tokenizer=*/false);
    ASSERT_NE(m.model, nullptr);
    double worst = 0;
    int i = 0;
    for (const Case& c : Cases(dir)) {
      const std::vector<float> expected = ReadF32(dir + "/" + prefix + std::to_string(i++) + ".f32");
      const std::vector<float> logits = Logits(*m.model, c);
      ASSERT_EQ(logits.size(), expected.size()) << dir << " " << c.text;
      const testing::LogitsAgreement a = testing::CompareLogits(logits, expected, m.model->vocab_size());
      EXPECT_LE(a.relative_error(), 1e-5) << dir << " " << c.text;
      EXPECT_EQ(a.first_argmax_mismatch, -1) << dir << " " << c.text;
      worst = std::max(worst, a.relative_error());
    }
    EXPECT_EQ(m.model->spec().tied_head(), dir != kFixture);
    std::cout << "[ figures  ] " << dir.substr(dir.rfind("/t5-tiny")) << ": within " << worst
              << " of max|logit| of numpy's float64\n";
  }
}

TEST(T5Reference, F32PathMatchesFloat64Reference) {
  for (const std::string& dir : {kFixture, kFixture + "/relu", kFixture + "/tied"}) {
    LoadedSeq2Seq m = Load(dir + "/hf", /*tokenizer=*/false);
    ASSERT_NE(m.model, nullptr);
    const testing::RefSeq2Seq ref = testing::RefFromModule(*m.model);
    for (const Case& c : Cases(dir)) {
      const std::vector<float> fast = Logits(*m.model, c);
      const testing::DVector exact = ref.Logits(c.source, c.target);
      ASSERT_EQ(fast.size(), exact.size());
      double max_err = 0, max_ref = 0;
      for (size_t i = 0; i < exact.size(); ++i) {
        max_ref = std::max(max_ref, std::abs(exact[i]));
        max_err = std::max(max_err, std::abs(fast[i] - exact[i]));
      }
      EXPECT_LE(max_err / max_ref, 1e-5) << dir << " " << c.text;
    }
  }
}

// One token per step against the decoder's KV cache and the cross-attention keys projected once gives the
// logits of the whole target run at once.
TEST(T5Decode, StepByStepEqualsOneBatch) {
  LoadedSeq2Seq m = Load(kFixture + "/hf", /*tokenizer=*/false);
  ASSERT_NE(m.model, nullptr);
  const Case c = Cases(kFixture)[2];
  const std::vector<float> batch = Logits(*m.model, c);
  absl::StatusOr<std::vector<float>> memory = m.model->Encode(c.source);
  ASSERT_TRUE(memory.ok());
  absl::StatusOr<Seq2SeqLm::DecoderState> state = m.model->StartDecoding(*memory);
  ASSERT_TRUE(state.ok());
  const int64_t vocab = m.model->vocab_size();
  for (size_t t = 0; t < c.target.size(); ++t) {
    absl::StatusOr<std::vector<float>> step = m.model->Decode(*state, {&c.target[t], 1});
    ASSERT_TRUE(step.ok()) << step.status();
    for (int64_t v = 0; v < vocab; ++v) ASSERT_NEAR((*step)[v], batch[t * vocab + v], 2e-5) << "position " << t;
  }
  EXPECT_EQ(state->length, static_cast<int64_t>(c.target.size()));
}

TEST(T5Tokenizer, SourceIdsMatchLlamaCpp) {
  for (const std::string model : {"hf", "model-f32.gguf"}) {
    LoadedSeq2Seq m = Load(kFixture + "/" + model);
    ASSERT_NE(m.tokenizer, nullptr) << model;
    for (const Case& c : Cases(kFixture)) {
      absl::StatusOr<std::vector<int32_t>> ids = m.tokenizer->Encode(c.text, tokenizers::EncodeOptions{.add_eos = true});
      ASSERT_TRUE(ids.ok()) << ids.status();
      EXPECT_EQ(*ids, c.source) << model << ": " << c.text;
    }
  }
}

// Greedy generation from HF and GGUF agrees, and every step is the argmax of the float64 reference.
TEST(T5Generate, GreedyFollowsTheReference) {
  LoadedSeq2Seq hf = Load(kFixture + "/hf", false), gguf = Load(kFixture + "/model-f32.gguf", false);
  ASSERT_NE(hf.model, nullptr);
  ASSERT_NE(gguf.model, nullptr);
  const Case c = Cases(kFixture)[1];
  absl::StatusOr<std::vector<int32_t>> a = GreedySeq2Seq(*hf.model, c.source, 6);
  absl::StatusOr<std::vector<int32_t>> b = GreedySeq2Seq(*gguf.model, c.source, 6);
  ASSERT_TRUE(a.ok()) << a.status();
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_EQ(*a, *b);
  const testing::RefSeq2Seq ref = testing::RefFromModule(*hf.model);
  std::vector<int32_t> target = {hf.model->decoder_start_token_id()};
  const int64_t vocab = hf.model->vocab_size();
  for (int32_t token : *a) {
    const testing::DVector logits = ref.Logits(c.source, target);
    const auto last = logits.end() - vocab;
    EXPECT_EQ(token, std::max_element(last, logits.end()) - last);
    target.push_back(token);
  }
}

// Sampled generation: top-k 1 at any temperature is the greedy run, a seed repeats its run exactly, another seed
// at a high temperature takes another path (on these random weights), and invalid options are refused.
TEST(T5Generate, SamplingAsADecoderDoes) {
  LoadedSeq2Seq m = Load(kFixture + "/hf", false);
  ASSERT_NE(m.model, nullptr);
  const Case c = Cases(kFixture)[1];
  const std::vector<int32_t> greedy = *GreedySeq2Seq(*m.model, c.source, 12);
  EXPECT_EQ(*GenerateSeq2Seq(*m.model, c.source, 12, {.temperature = 1.5f, .top_k = 1}), greedy);
  const SamplingOptions hot{.temperature = 2.0f, .seed = 7};
  const std::vector<int32_t> first = *GenerateSeq2Seq(*m.model, c.source, 12, hot);
  EXPECT_EQ(*GenerateSeq2Seq(*m.model, c.source, 12, hot), first);
  EXPECT_NE(first, greedy);
  EXPECT_THAT(GenerateSeq2Seq(*m.model, c.source, 12, {.temperature = -1}).status().message(),
              HasSubstr("temperature"));
}

TEST(T5Errors, BadInputs) {
  LoadedSeq2Seq m = Load(kFixture + "/hf", false);
  ASSERT_NE(m.model, nullptr);
  EXPECT_THAT(m.model->Encode({}).status().message(), HasSubstr("no source tokens"));
  EXPECT_THAT(m.model->Encode({5, 2000}).status().message(), HasSubstr("outside the vocabulary"));
}

// --- unsupported variants -------------------------------------------------------------------------------------

absl::Status FromConfig(const std::function<void(nlohmann::json&)>& edit) {
  nlohmann::json j = nlohmann::json::parse(ReadAll(kFixture + "/hf/config.json"));
  edit(j);
  const fs::path dir = fs::temp_directory_path() / ("ttt_t5_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  std::ofstream(dir / "config.json") << j.dump();
  absl::Status s = formats::LoadSeq2SeqCheckpoint(dir.string()).status();
  fs::remove_all(dir);
  return s;
}

TEST(T5Errors, UnsupportedVariantsAreRefusedByName) {
  absl::Status s = FromConfig([](nlohmann::json& j) { j["model_type"] = "bart"; });
  EXPECT_THAT(s.message(), HasSubstr("model_type"));
  EXPECT_THAT(s.message(), HasSubstr("\"t5\""));
  s = FromConfig([](nlohmann::json& j) { j["feed_forward_proj"] = "gated-relu"; });
  EXPECT_THAT(s.message(), HasSubstr("feed_forward_proj"));
  EXPECT_THAT(s.message(), HasSubstr("gated-gelu"));
  s = FromConfig([](nlohmann::json& j) { j["feed_forward_proj"] = "tanh"; });
  EXPECT_THAT(s.message(), HasSubstr("\"tanh\""));
  s = FromConfig([](nlohmann::json& j) { j["is_encoder_decoder"] = false; });
  EXPECT_THAT(s.message(), HasSubstr("is_encoder_decoder"));
  s = FromConfig([](nlohmann::json& j) { j["relative_attention_num_buckets"] = 2; });
  EXPECT_THAT(s.message(), HasSubstr("num_buckets"));
  s = FromConfig([](nlohmann::json& j) { j["decoder_start_token_id"] = 5000; });
  EXPECT_THAT(s.message(), HasSubstr("decoder_start_token_id"));
  // UMT5 gives every layer its own relative bias.
  EXPECT_FALSE(formats::CanonicalT5Name("encoder.block.1.layer.0.SelfAttention.relative_attention_bias.weight",
                                        formats::T5Naming::kHf).has_value());
  EXPECT_FALSE(formats::CanonicalT5Name("dec.blk.1.attn_rel_b.weight", formats::T5Naming::kGguf).has_value());
  EXPECT_EQ(formats::CanonicalT5Name("decoder.block.0.layer.1.EncDecAttention.relative_attention_bias.weight",
                                     formats::T5Naming::kHf).value_or("unknown"), "");
}

TEST(T5Formats, RoutingAndMissingWeights) {
  EXPECT_TRUE(formats::IsSeq2SeqCheckpoint(kFixture + "/hf"));
  EXPECT_TRUE(formats::IsSeq2SeqCheckpoint(kFixture + "/model-f32.gguf"));
  EXPECT_FALSE(formats::IsSeq2SeqCheckpoint(std::string(TTT_FIXTURES_DIR) + "/bert-tiny/hf"));
  absl::StatusOr<formats::Seq2SeqCheckpoint> ckpt = formats::LoadSeq2SeqCheckpoint(kFixture + "/hf");
  ASSERT_TRUE(ckpt.ok()) << ckpt.status();
  EXPECT_EQ(ckpt->spec->mlp().activation(), spec::GELU_TANH);
  EXPECT_TRUE(ckpt->spec->mlp().gated());
  ckpt->weights.erase("decoder.layers.1.cross_attn.wk");
  absl::Status s = Seq2SeqLm::Create(ckpt->spec, ckpt->weights).status();
  EXPECT_THAT(s.message(), HasSubstr("decoder.layers.1.cross_attn.wk"));
}

}  // namespace
}  // namespace ttt
