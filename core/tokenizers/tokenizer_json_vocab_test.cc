// The tokenizer.json path against llama.cpp's test vectors. Each vocabulary's pieces and merges come from
// its ggml-vocab-*.gguf, written as a tokenizer.json with the normalizer, pre-tokenizer and model settings
// that the model's own tokenizer.json has (the GGUF keeps only a name for those): so the same vectors check
// the HF components (Split regexes, ByteLevel, Digits, Punctuation, NFC, BertNormalizer, WordPiece).
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "absl/strings/match.h"
#include "absl/strings/str_join.h"
#include "core/formats/gguf/gguf_file.h"
#include "core/tokenizers/tokenizer_loader.h"
#include "core/tokenizers/vocab_test_cases.h"
#include "nlohmann/json.hpp"

namespace ttt::tokenizers {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

const std::string kVocabTests = std::string(TTT_FIXTURES_DIR) + "/tokenizers/vocab-tests/";
constexpr char kSpaceMark[] = "\xE2\x96\x81";

json ByteLevel(bool use_regex) {
  return {{"type", "ByteLevel"}, {"add_prefix_space", false}, {"trim_offsets", true}, {"use_regex", use_regex}};
}

json SplitRegex(const std::string& regex) {
  return {{"type", "Split"}, {"pattern", {{"Regex", regex}}}, {"behavior", "Isolated"}, {"invert", false}};
}

json Sequence(json pre_tokenizers) { return {{"type", "Sequence"}, {"pretokenizers", std::move(pre_tokenizers)}}; }

class TokenizerJsonVocab : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("ttt_tokenizer_json_vocab_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Writes `root` (model, normalizer, pre_tokenizer...) completed with the GGUF's vocabulary, added tokens
  // and merges, and returns the file's path.
  std::string WriteTokenizerJson(const std::string& name, json root) {
    auto gguf = formats::GgufFile::Open(kVocabTests + "ggml-vocab-" + name + ".gguf");
    EXPECT_TRUE(gguf.ok()) << gguf.status();
    auto pieces = (*gguf)->GetStringArray("tokenizer.ggml.tokens");
    auto types = (*gguf)->GetIntArray("tokenizer.ggml.token_type");
    EXPECT_TRUE(pieces.ok() && types.ok());
    const bool wordpiece = root["model"]["type"] == "WordPiece";
    json vocab = json::object();
    json added = json::array();
    for (size_t id = 0; id < pieces->size(); ++id) {
      std::string piece = (*pieces)[id];
      const int64_t type = (*types)[id];
      if (type == 3 || type == 4) {  // control, user-defined
        added.push_back({{"id", id}, {"content", piece}, {"special", type == 3}});
      } else if (wordpiece) {
        // Back from llama.cpp's spelling ("▁play", "ing") to HF's ("play", "##ing").
        piece = absl::StartsWith(piece, kSpaceMark) ? piece.substr(3) : "##" + piece;
      }
      vocab[piece] = id;
    }
    root["model"]["vocab"] = std::move(vocab);
    root["added_tokens"] = std::move(added);
    if (!wordpiece) {
      auto merges = (*gguf)->GetStringArray("tokenizer.ggml.merges");
      EXPECT_TRUE(merges.ok()) << merges.status();
      root["model"]["merges"] = *merges;
    }
    const fs::path path = dir_ / name / "tokenizer.json";
    fs::create_directories(path.parent_path());
    std::ofstream(path) << root.dump();
    return path.string();
  }

  void ExpectAllMatch(const std::string& name, json root) {
    const std::vector<VocabTestCase> cases = ReadVocabTestCases(kVocabTests + "ggml-vocab-" + name + ".gguf.inp",
                                                                kVocabTests + "ggml-vocab-" + name + ".gguf.out");
    ASSERT_GT(cases.size(), 30u) << "test vectors of " << name << " missing or inconsistent";
    auto tokenizer = LoadTokenizer(WriteTokenizerJson(name, std::move(root)));
    ASSERT_TRUE(tokenizer.ok()) << tokenizer.status();
    int matches = 0;
    for (size_t i = 0; i < cases.size(); ++i) {
      auto ids = (*tokenizer)->Encode(cases[i].text, /*add_bos=*/false);
      ASSERT_TRUE(ids.ok()) << name << " case " << i << ": " << ids.status();
      if (*ids == cases[i].ids) {
        ++matches;
      } else {
        ADD_FAILURE() << name << " case " << i << " text \"" << cases[i].text << "\"\n  expected "
                      << absl::StrJoin(cases[i].ids, " ") << "\n  got      " << absl::StrJoin(*ids, " ");
      }
    }
    std::printf("%s via tokenizer.json: %d/%zu texts identical\n", name.c_str(), matches, cases.size());
  }

  fs::path dir_;
};

json BpeModel() { return {{"type", "BPE"}}; }

TEST_F(TokenizerJsonVocab, Gpt2) {
  ExpectAllMatch("gpt-2", {{"model", BpeModel()}, {"pre_tokenizer", ByteLevel(true)}});
}

// GPT-NeoX's tokenizer, which MPT uses: NFC first.
TEST_F(TokenizerJsonVocab, Mpt) {
  ExpectAllMatch("mpt", {{"model", BpeModel()}, {"normalizer", {{"type", "NFC"}}}, {"pre_tokenizer", ByteLevel(true)}});
}

TEST_F(TokenizerJsonVocab, Starcoder) {
  const json pre = Sequence({{{"type", "Digits"}, {"individual_digits", true}}, ByteLevel(true)});
  ExpectAllMatch("starcoder", {{"model", BpeModel()}, {"pre_tokenizer", pre}});
  ExpectAllMatch("refact", {{"model", BpeModel()}, {"pre_tokenizer", pre}});
}

// Components after ByteLevel see its byte-to-character output.
TEST_F(TokenizerJsonVocab, Falcon) {
  const json pre = Sequence({{{"type", "Punctuation"}, {"behavior", "Contiguous"}}, ByteLevel(true),
                             {{"type", "Digits"}, {"individual_digits", false}}, SplitRegex("[0-9][0-9][0-9]")});
  ExpectAllMatch("falcon", {{"model", BpeModel()}, {"pre_tokenizer", pre}});
}

TEST_F(TokenizerJsonVocab, DeepseekCoder) {
  // The CJK rule is "[一-龥ࠀ-一가-퟿]+", as the model's file writes it.
  const std::string cjk = "[\xE4\xB8\x80-\xE9\xBE\xA5\xE0\xA0\x80-\xE4\xB8\x80\xEA\xB0\x80-\xED\x9F\xBF]+";
  const json pre = Sequence({SplitRegex("[\r\n]"), SplitRegex("\\s?\\p{L}+"), SplitRegex("\\s?\\p{P}+"),
                             SplitRegex(cjk), SplitRegex("\\p{N}"), ByteLevel(false)});
  ExpectAllMatch("deepseek-coder", {{"model", BpeModel()}, {"pre_tokenizer", pre}});
}

TEST_F(TokenizerJsonVocab, BertBge) {
  const json root = {
      {"model", {{"type", "WordPiece"}, {"unk_token", "[UNK]"}, {"continuing_subword_prefix", "##"},
                 {"max_input_chars_per_word", 100}}},
      {"normalizer", {{"type", "BertNormalizer"}, {"clean_text", true}, {"handle_chinese_chars", true},
                      {"strip_accents", nullptr}, {"lowercase", true}}},
      {"pre_tokenizer", {{"type", "BertPreTokenizer"}}},
      {"post_processor", {{"type", "TemplateProcessing"},
                          {"single", {{{"SpecialToken", {{"id", "[CLS]"}, {"type_id", 0}}}},
                                      {{"Sequence", {{"id", "A"}, {"type_id", 0}}}},
                                      {{"SpecialToken", {{"id", "[SEP]"}, {"type_id", 0}}}}}}}}};
  ExpectAllMatch("bert-bge", root);
  auto tokenizer = LoadTokenizer((dir_ / "bert-bge" / "tokenizer.json").string());
  ASSERT_TRUE(tokenizer.ok()) << tokenizer.status();
  auto ids = (*tokenizer)->Encode("Hello world", /*add_bos=*/true);
  ASSERT_TRUE(ids.ok());
  EXPECT_EQ(*ids, (std::vector<int32_t>{101, 7592, 2088, 102}));  // [CLS] hello world [SEP]
  EXPECT_EQ((*tokenizer)->Decode(*ids), "hello world");
}

}  // namespace
}  // namespace ttt::tokenizers
