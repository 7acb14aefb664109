// llama.cpp's tokenizer test vectors, reproduced exactly: the vocabularies as GGUF, and the same Llama-2
// vocabulary as HF tokenizer.json and SentencePiece tokenizer.model.
#include <gtest/gtest.h>

#include "absl/strings/str_join.h"
#include "core/formats/gguf/gguf_file.h"
#include "core/tokenizers/tokenizer_loader.h"
#include "core/tokenizers/vocab_test_cases.h"

namespace ttt::tokenizers {
namespace {

const std::string kVocabTests = std::string(TTT_FIXTURES_DIR) + "/tokenizers/vocab-tests/";
const std::string kLlama2Hf = std::string(TTT_FIXTURES_DIR) + "/tokenizers/llama2-hf/";

std::vector<VocabTestCase> Cases(const std::string& name) {
  return ReadVocabTestCases(kVocabTests + name + ".inp", kVocabTests + name + ".out");
}

// Encodes every case without BOS and compares; returns the number of exact matches.
int CountExactMatches(const Tokenizer& tokenizer, const std::vector<VocabTestCase>& cases, const std::string& label) {
  int matches = 0;
  for (size_t i = 0; i < cases.size(); ++i) {
    auto ids = tokenizer.Encode(cases[i].text, /*add_bos=*/false);
    if (!ids.ok()) {
      ADD_FAILURE() << label << " case " << i << ": " << ids.status();
      continue;
    }
    if (*ids == cases[i].ids) {
      ++matches;
    } else {
      ADD_FAILURE() << label << " case " << i << " text \"" << cases[i].text << "\"\n  expected "
                    << absl::StrJoin(cases[i].ids, " ") << "\n  got      " << absl::StrJoin(*ids, " ");
    }
  }
  std::printf("%s: %d/%zu texts identical\n", label.c_str(), matches, cases.size());
  return matches;
}

void ExpectAllMatch(const std::string& tokenizer_path, const std::string& cases_name, const std::string& label) {
  const std::vector<VocabTestCase> cases = Cases(cases_name);
  ASSERT_GT(cases.size(), 30u) << "test vectors " << cases_name << " missing or inconsistent";
  auto tokenizer = LoadTokenizer(tokenizer_path);
  ASSERT_TRUE(tokenizer.ok()) << tokenizer.status();
  EXPECT_EQ(CountExactMatches(**tokenizer, cases, label), static_cast<int>(cases.size()));
}

// llama.cpp's vocabulary `name` (ggml-vocab-<name>.gguf) against its own test vectors.
void ExpectGgufMatches(const std::string& name) {
  const std::string file = "ggml-vocab-" + name + ".gguf";
  ExpectAllMatch(kVocabTests + file, file, name + " gguf");
}

TEST(VocabTests, LlamaSpmGguf) { ExpectGgufMatches("llama-spm"); }
TEST(VocabTests, Phi3Gguf) { ExpectGgufMatches("phi-3"); }
TEST(VocabTests, Gpt2Gguf) { ExpectGgufMatches("gpt-2"); }
TEST(VocabTests, MptGguf) { ExpectGgufMatches("mpt"); }
TEST(VocabTests, StarcoderGguf) { ExpectGgufMatches("starcoder"); }
TEST(VocabTests, RefactGguf) { ExpectGgufMatches("refact"); }
TEST(VocabTests, FalconGguf) { ExpectGgufMatches("falcon"); }
TEST(VocabTests, DeepseekCoderGguf) { ExpectGgufMatches("deepseek-coder"); }
TEST(VocabTests, DeepseekLlmGguf) { ExpectGgufMatches("deepseek-llm"); }
TEST(VocabTests, BertBgeGguf) { ExpectGgufMatches("bert-bge"); }

// The llama-spm GGUF is the Llama-2 vocabulary, so its expectations hold for Llama-2's other files too.
TEST(VocabTests, Llama2HfTokenizerJson) {
  ExpectAllMatch(kLlama2Hf + "tokenizer.json", "ggml-vocab-llama-spm.gguf", "llama-spm via tokenizer.json");
}

TEST(VocabTests, Llama2SentencePieceModel) {
  ExpectAllMatch(kLlama2Hf + "tokenizer.model", "ggml-vocab-llama-spm.gguf", "llama-spm via tokenizer.model");
}

TEST(VocabTests, LoadTokenizerFromOpenGguf) {
  auto gguf = formats::GgufFile::Open(kVocabTests + "ggml-vocab-llama-spm.gguf");
  ASSERT_TRUE(gguf.ok()) << gguf.status();
  auto tokenizer = LoadTokenizerFromGguf(**gguf);
  ASSERT_TRUE(tokenizer.ok()) << tokenizer.status();
  EXPECT_EQ((*tokenizer)->vocab_size(), 32000);
  EXPECT_EQ((*tokenizer)->bos_id(), 1);
  EXPECT_EQ((*tokenizer)->eos_id(), 2);
  EXPECT_TRUE((*tokenizer)->add_bos_by_default());
  EXPECT_EQ((*tokenizer)->TokenText(15043), "\xE2\x96\x81Hello");
}

// Decoding what the encoder produced gives the text back (for these vocabularies, which lose nothing).
TEST(VocabTests, DecodeRoundTrips) {
  for (const std::string& name : {"ggml-vocab-llama-spm.gguf", "ggml-vocab-gpt-2.gguf"}) {
    auto tokenizer = LoadTokenizer(kVocabTests + name);
    ASSERT_TRUE(tokenizer.ok()) << tokenizer.status();
    for (const VocabTestCase& c : Cases(name)) {
      EXPECT_EQ((*tokenizer)->Decode(c.ids), c.text) << name;
      std::vector<int32_t> with_bos = {(*tokenizer)->bos_id()};
      with_bos.insert(with_bos.end(), c.ids.begin(), c.ids.end());
      EXPECT_EQ((*tokenizer)->Decode(with_bos), c.text) << name << " after BOS";
    }
  }
}

}  // namespace
}  // namespace ttt::tokenizers
