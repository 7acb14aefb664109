// BERT encoder (core/patterns/encoder, core/formats/bert, core/generation/embed) against llama.cpp's embeddings
// of the same random weights (tests/fixtures/bert-tiny: token ids, every token's hidden state and the pooled
// vectors for mean, cls and last), from the Hugging Face folder and from the GGUF; the fast path against the
// float64 reference; and bad checkpoints refused with errors that say what and where.
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <sstream>

#include "core/factory/encoder_loader.h"
#include "core/formats/bert/bert_checkpoint.h"
#include "core/generation/embed.h"
#include "core/specs/validate.h"
#include "core/runtime/mapped_file.h"
#include "core/testing/reference_encoder.h"
#include "core/testing/reference_logits.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"

namespace ttt {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

const std::string kFixture = std::string(TTT_FIXTURES_DIR) + "/bert-tiny";

// A missing file reads as empty: the size checks below then fail and name the case.
std::string ReadAll(const std::string& path) { return ReadFileToString(path).value_or(""); }
std::vector<float> ReadF32(const std::string& path) { return testing::ReadF32File(path).value_or(std::vector<float>{}); }
using testing::Cosine;

struct ReferenceCase {
  std::string text;
  std::vector<int32_t> tokens;
  std::map<std::string, std::string> files;  // pooling -> file
};

std::vector<ReferenceCase> Cases() {
  const nlohmann::json j = nlohmann::json::parse(ReadAll(kFixture + "/reference.json"));
  std::vector<ReferenceCase> cases;
  for (const auto& c : j["cases"]) {
    cases.push_back({c["text"].get<std::string>(), c["tokens"].get<std::vector<int32_t>>(),
                     c["embeddings"].get<std::map<std::string, std::string>>()});
  }
  return cases;
}

class BertTest : public ::testing::TestWithParam<std::string> {
 protected:
  static LoadedEncoder Load(const std::string& which) {
    absl::StatusOr<LoadedEncoder> loaded = LoadEncoder(kFixture + "/" + which);
    EXPECT_TRUE(loaded.ok()) << loaded.status();
    return loaded.ok() ? *std::move(loaded) : LoadedEncoder{};
  }
};

TEST_P(BertTest, TokenIdsMatchLlamaCpp) {
  LoadedEncoder m = Load(GetParam());
  ASSERT_NE(m.tokenizer, nullptr);
  for (const ReferenceCase& c : Cases()) {
    absl::StatusOr<std::vector<TextEmbedding>> e = Embed(*m.encoder, *m.tokenizer, {c.text});
    ASSERT_TRUE(e.ok()) << e.status();
    EXPECT_EQ((*e)[0].tokens, c.tokens) << c.text;
  }
}

// Every token's last hidden state (llama.cpp's pooling none), then each pooling.
TEST_P(BertTest, EmbeddingsMatchLlamaCpp) {
  LoadedEncoder m = Load(GetParam());
  ASSERT_NE(m.encoder, nullptr);
  const int64_t hidden = m.encoder->hidden_dim();
  double worst_cosine = 1, worst_hidden = 0;
  for (const ReferenceCase& c : Cases()) {
    absl::StatusOr<std::vector<float>> states = m.encoder->Forward(c.tokens);
    ASSERT_TRUE(states.ok()) << states.status();
    const std::vector<float> expected = ReadF32(kFixture + "/" + c.files.at("none"));
    ASSERT_EQ(states->size(), expected.size());
    const double relative = testing::CompareLogits(*states, expected, hidden).relative_error();
    worst_hidden = std::max(worst_hidden, relative);
    // llama.cpp's GELU is an fp16 table; BertModel's (and this library's) is the exact erf.
    EXPECT_LE(relative, 1e-3) << c.text;
    for (const std::string pooling : {"mean", "cls", "last"}) {
      EmbedOptions options;
      options.pooling = *ParsePooling(pooling);
      absl::StatusOr<std::vector<TextEmbedding>> e = Embed(*m.encoder, *m.tokenizer, {c.text}, options);
      ASSERT_TRUE(e.ok()) << e.status();
      const std::vector<float> ref = ReadF32(kFixture + "/" + c.files.at(pooling));
      ASSERT_EQ(static_cast<int64_t>(ref.size()), hidden);
      const double cosine = Cosine((*e)[0].vector, ref);
      worst_cosine = std::min(worst_cosine, cosine);
      EXPECT_GE(cosine, 0.9999) << c.text << " pooling " << pooling;
    }
  }
  std::cout << std::setprecision(9) << "[ figures  ] " << GetParam() << ": worst cosine " << worst_cosine << ", hidden states within "
            << worst_hidden << " of max|hidden|\n";
}

// Against the same llama.cpp with its GELU computed in f32 instead of through an fp16 table
// (tests/fixtures/bert-tiny/exact-gelu). ggml's GELU at this commit is the tanh approximation even in f32, while
// BertModel's "gelu" is the exact erf: the same encoder built with GELU_TANH must then agree to f32 rounding, which
// shows the two GELUs are the whole of the distance measured above.
TEST_P(BertTest, WithLlamaCppsGeluTheRestIsRounding) {
  absl::StatusOr<formats::EncoderCheckpoint> ckpt = formats::LoadEncoderCheckpoint(kFixture + "/" + GetParam());
  ASSERT_TRUE(ckpt.ok()) << ckpt.status();
  spec::EncoderSpec tanh_spec = *ckpt->spec;
  tanh_spec.mutable_mlp()->set_activation(spec::GELU_TANH);
  absl::StatusOr<Validated<spec::EncoderSpec>> validated = ValidateEncoder(tanh_spec);
  ASSERT_TRUE(validated.ok()) << validated.status();
  absl::StatusOr<std::unique_ptr<Encoder>> encoder = Encoder::Create(*validated, ckpt->weights);
  ASSERT_TRUE(encoder.ok()) << encoder.status();
  const nlohmann::json j = nlohmann::json::parse(ReadAll(kFixture + "/exact-gelu/reference.json"));
  double worst = 0;
  for (const auto& c : j["cases"]) {
    const std::vector<int32_t> tokens = c["tokens"];
    absl::StatusOr<std::vector<float>> states = (*encoder)->Forward(tokens);
    ASSERT_TRUE(states.ok()) << states.status();
    const std::vector<float> expected = ReadF32(kFixture + "/exact-gelu/" + c["embeddings"]["none"].get<std::string>());
    ASSERT_EQ(states->size(), expected.size());
    const double relative =
        testing::CompareLogits(*states, expected, (*encoder)->hidden_dim()).relative_error();
    worst = std::max(worst, relative);
  }
  EXPECT_LE(worst, 1e-5);
  std::cout << "[ figures  ] " << GetParam() << ": with tanh GELU, hidden states within " << worst
            << " of max|hidden| of llama.cpp's with an f32 GELU\n";
}

TEST_P(BertTest, NormalizedVectorsHaveUnitLength) {
  LoadedEncoder m = Load(GetParam());
  ASSERT_NE(m.encoder, nullptr);
  EmbedOptions options;
  options.normalize = true;
  absl::StatusOr<std::vector<TextEmbedding>> e = Embed(*m.encoder, *m.tokenizer, {"hello", "the lazy dog"}, options);
  ASSERT_TRUE(e.ok()) << e.status();
  ASSERT_EQ(e->size(), 2u);
  for (const TextEmbedding& t : *e) {
    double n = 0;
    for (float v : t.vector) n += double(v) * v;
    EXPECT_NEAR(std::sqrt(n), 1.0, 1e-6);
  }
}

// The checkpoint's own pooling (sentence-transformers' mean; GGUF pooling_type 1) is the default.
TEST_P(BertTest, DefaultPoolingIsTheCheckpoints) {
  LoadedEncoder m = Load(GetParam());
  ASSERT_NE(m.encoder, nullptr);
  EXPECT_EQ(m.encoder->spec().default_pooling(), spec::MEAN);
}

TEST_P(BertTest, FastPathMatchesFloat64Reference) {
  LoadedEncoder m = Load(GetParam());
  ASSERT_NE(m.encoder, nullptr);
  const testing::RefEncoder ref = testing::RefFromModule(*m.encoder);
  double worst = 0;
  for (const ReferenceCase& c : Cases()) {
    absl::StatusOr<std::vector<float>> fast = m.encoder->Forward(c.tokens);
    ASSERT_TRUE(fast.ok()) << fast.status();
    const testing::DVector exact = ref.Forward(c.tokens);
    double max_err = 0, max_ref = 0;
    for (size_t i = 0; i < exact.size(); ++i) {
      max_ref = std::max(max_ref, std::abs(exact[i]));
      max_err = std::max(max_err, std::abs((*fast)[i] - exact[i]));
    }
    EXPECT_LE(max_err / max_ref, 1e-5) << c.text << ": max |f32 - f64| " << max_err;
    worst = std::max(worst, max_err / max_ref);
  }
  std::cout << "[ figures  ] " << GetParam() << ": f32 fast path within " << worst << " of max|hidden| of float64\n";
}

TEST_P(BertTest, BadInputsAreErrors) {
  LoadedEncoder m = Load(GetParam());
  ASSERT_NE(m.encoder, nullptr);
  EXPECT_THAT(m.encoder->Forward({}).status().message(), HasSubstr("no tokens"));
  EXPECT_THAT(m.encoder->Forward({2, 100000, 3}).status().message(), HasSubstr("outside the vocabulary"));
  EXPECT_THAT(m.encoder->Forward({2, 3}, {0, 7}).status().message(), HasSubstr("token type 7"));
  std::string words;
  for (int i = 0; i < 80; ++i) words += "dog ";
  absl::StatusOr<std::vector<TextEmbedding>> e = Embed(*m.encoder, *m.tokenizer, {"fine", words});
  ASSERT_FALSE(e.ok());
  EXPECT_THAT(e.status().message(), HasSubstr("text 1"));
  EXPECT_THAT(e.status().message(), HasSubstr("learned positions"));
  EmbedOptions truncate;
  truncate.truncate = true;
  e = Embed(*m.encoder, *m.tokenizer, {words}, truncate);
  ASSERT_TRUE(e.ok()) << e.status();
  EXPECT_EQ(static_cast<int64_t>((*e)[0].tokens.size()), m.encoder->max_positions());
  EXPECT_EQ((*e)[0].tokens.back(), 3);  // [SEP] kept
}

INSTANTIATE_TEST_SUITE_P(HfAndGguf, BertTest, ::testing::Values("hf", "model-f32.gguf"),
                         [](const auto& info) { return info.param == "hf" ? "hf" : "gguf"; });

// --- bad checkpoints --------------------------------------------------------------------------------------------

// A copy of the HF folder in a temporary directory, to break.
class BrokenHf : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("ttt_bert_" + std::to_string(::getpid()) + "_" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::copy(kFixture + "/hf", dir_, fs::copy_options::recursive);
  }
  void TearDown() override { fs::remove_all(dir_); }
  nlohmann::json Config() { return nlohmann::json::parse(ReadAll((dir_ / "config.json").string())); }
  void WriteConfig(const nlohmann::json& j) { std::ofstream((dir_ / "config.json").string()) << j.dump(); }
  // Rewrites model.safetensors with `edit` applied to its header (names and shapes), keeping the data.
  void EditSafetensors(const std::function<void(nlohmann::json&)>& edit) {
    const std::string bytes = ReadAll((dir_ / "model.safetensors").string());
    uint64_t n = 0;
    std::memcpy(&n, bytes.data(), 8);
    nlohmann::json header = nlohmann::json::parse(bytes.substr(8, n));
    edit(header);
    std::string h = header.dump();
    h.append((8 - h.size() % 8) % 8, ' ');
    const uint64_t m = h.size();
    std::ofstream out((dir_ / "model.safetensors").string(), std::ios::binary);
    out.write(reinterpret_cast<const char*>(&m), 8);
    out << h << bytes.substr(8 + n);
  }
  fs::path dir_;
};

TEST_F(BrokenHf, UnknownConfigKeysAreIgnoredAsTheDecoderReadersDo) {
  nlohmann::json j = Config();
  j["some_future_key"] = {1, 2, 3};
  WriteConfig(j);
  EXPECT_TRUE(LoadEncoder(dir_.string()).ok());
}

TEST_F(BrokenHf, UnsupportedValuesNameTheKey) {
  nlohmann::json j = Config();
  j["position_embedding_type"] = "relative_key";
  WriteConfig(j);
  absl::StatusOr<LoadedEncoder> m = LoadEncoder(dir_.string());
  ASSERT_FALSE(m.ok());
  EXPECT_THAT(m.status().message(), HasSubstr("position_embedding_type"));
  EXPECT_THAT(m.status().message(), HasSubstr("config.json"));
  j = Config();
  j["position_embedding_type"] = "absolute";
  j["model_type"] = "llama";
  WriteConfig(j);
  m = LoadEncoder(dir_.string());
  ASSERT_FALSE(m.ok());
  EXPECT_THAT(m.status().message(), HasSubstr("model_type"));
  j["model_type"] = "bert";
  j["hidden_act"] = "swish";
  WriteConfig(j);
  m = LoadEncoder(dir_.string());
  ASSERT_FALSE(m.ok());
  EXPECT_THAT(m.status().message(), HasSubstr("hidden_act"));
  j["hidden_act"] = "gelu";
  j["num_attention_heads"] = 5;  // 32 is not divisible by 5
  WriteConfig(j);
  m = LoadEncoder(dir_.string());
  ASSERT_FALSE(m.ok());
  EXPECT_THAT(m.status().message(), HasSubstr("num_heads"));
}

// sentence-transformers' files are user input too: wrong types are not a crash, an unsupported pooling is named.
TEST_F(BrokenHf, PoolingConfigIsReadSafely) {
  std::ofstream((dir_ / "modules.json").string()) << R"([{"type": 5, "path": []}, {"type": "x"}])";
  absl::StatusOr<LoadedEncoder> m = LoadEncoder(dir_.string());
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(m->encoder->spec().default_pooling(), spec::MEAN);  // none declared: MEAN
  std::ofstream((dir_ / "modules.json").string())
      << R"([{"type": "sentence_transformers.models.Pooling", "path": "1_Pooling"}])";
  std::ofstream((dir_ / "1_Pooling" / "config.json").string())
      << R"({"pooling_mode_mean_tokens": "yes", "pooling_mode_cls_token": true})";
  m = LoadEncoder(dir_.string());
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(m->encoder->spec().default_pooling(), spec::CLS);
  std::ofstream((dir_ / "1_Pooling" / "config.json").string()) << R"({"pooling_mode_max_tokens": true})";
  m = LoadEncoder(dir_.string());
  ASSERT_FALSE(m.ok());
  EXPECT_THAT(m.status().message(), HasSubstr("pass the pooling explicitly"));
  std::ofstream((dir_ / "modules.json").string()) << "not json";
  EXPECT_THAT(LoadEncoder(dir_.string()).status().message(), HasSubstr("modules.json"));
}

TEST_F(BrokenHf, MissingTensorIsNamed) {
  EditSafetensors([](nlohmann::json& h) { h.erase("encoder.layer.1.attention.self.key.bias"); });
  absl::StatusOr<LoadedEncoder> m = LoadEncoder(dir_.string());
  ASSERT_FALSE(m.ok());
  EXPECT_THAT(m.status().message(), HasSubstr("layers.1.attn.wk.bias"));
}

TEST_F(BrokenHf, WrongShapeIsNamed) {
  nlohmann::json j = Config();
  j["intermediate_size"] = 48;  // the tensors are [64, 32]
  WriteConfig(j);
  absl::StatusOr<LoadedEncoder> m = LoadEncoder(dir_.string());
  ASSERT_FALSE(m.ok());
  EXPECT_THAT(m.status().message(), HasSubstr("layers.0.mlp.w_up"));
}

TEST_F(BrokenHf, UnknownTensorIsNamed) {
  EditSafetensors([](nlohmann::json& h) {
    h["encoder.layer.0.attention.self.rotary.weight"] = h["encoder.layer.0.attention.self.key.bias"];
  });
  absl::StatusOr<LoadedEncoder> m = LoadEncoder(dir_.string());
  ASSERT_FALSE(m.ok());
  EXPECT_THAT(m.status().message(), HasSubstr("encoder.layer.0.attention.self.rotary.weight"));
}

TEST(BertFormats, GgufOfAnotherArchIsRefused) {
  absl::StatusOr<LoadedEncoder> m = LoadEncoder(std::string(TTT_FIXTURES_DIR) + "/qwen2-tiny/model-f32.gguf");
  ASSERT_FALSE(m.ok());
  EXPECT_THAT(m.status().message(), HasSubstr("\"qwen2\""));
  EXPECT_FALSE(formats::IsEncoderCheckpoint(std::string(TTT_FIXTURES_DIR) + "/qwen2-tiny/model-f32.gguf"));
  EXPECT_TRUE(formats::IsEncoderCheckpoint(kFixture + "/model-f32.gguf"));
  EXPECT_TRUE(formats::IsEncoderCheckpoint(kFixture + "/hf"));
}

TEST(BertFormats, MissingPathIsNotFound) {
  EXPECT_EQ(LoadEncoder("/nonexistent/bert").status().code(), absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace ttt
