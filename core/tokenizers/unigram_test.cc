// SentencePiece Unigram against outside references, on llama.cpp's 46 test texts
// (tests/fixtures/tokenizers/unigram/PROVENANCE.md): python3-sentencepiece for .model files, llama.cpp's
// tokenizer for the GGUF, tokenizers.js for the tokenizer.json. Every expected id comes from those programs.
#include <gtest/gtest.h>

#include <random>
#include <set>

#include "absl/strings/str_join.h"
#include "core/tokenizers/precompiled_charsmap.h"
#include "core/tokenizers/tokenizer_loader.h"
#include "core/tokenizers/unigram_tokenizer.h"
#include "core/tokenizers/vocab_test_cases.h"

namespace ttt::tokenizers {
namespace {

const std::string kDir = std::string(TTT_FIXTURES_DIR) + "/tokenizers/unigram/";
// llama.cpp's texts; the same file for every vocabulary it tests.
const std::string kTexts = std::string(TTT_FIXTURES_DIR) + "/tokenizers/vocab-tests/ggml-vocab-llama-spm.gguf.inp";

std::vector<VocabTestCase> Cases(const std::string& expected) {
  return ReadVocabTestCases(kTexts, kDir + expected);
}

// The texts of a file in .inp layout (sentencepiece's decoded strings).
std::vector<std::string> Texts(const std::string& path) {
  const std::string separator = "\n__ggml_vocab_test__\n";
  std::string all = ReadWholeFile(path);
  std::vector<std::string> texts;
  for (size_t pos; (pos = all.find(separator)) != std::string::npos; all.erase(0, pos + separator.size())) {
    texts.push_back(all.substr(0, pos));
  }
  return texts;
}

// Encodes each case (no special tokens) and compares with `cases`, except for the indices in `instead`,
// which are compared with `instead_cases`. Returns the number of identical texts.
int ExpectIdentical(const std::string& tokenizer_file, const std::vector<VocabTestCase>& cases,
                    const std::set<size_t>& instead = {}, const std::vector<VocabTestCase>& instead_cases = {}) {
  EXPECT_EQ(cases.size(), 46u) << "expected outputs for " << tokenizer_file << " missing or inconsistent";
  auto tokenizer = LoadTokenizer(kDir + tokenizer_file);
  EXPECT_TRUE(tokenizer.ok()) << tokenizer.status();
  if (!tokenizer.ok()) return 0;
  int identical = 0;
  for (size_t i = 0; i < cases.size(); ++i) {
    const VocabTestCase& c = instead.count(i) ? instead_cases.at(i) : cases[i];
    auto ids = (*tokenizer)->Encode(c.text, EncodeOptions{});
    if (!ids.ok()) {
      ADD_FAILURE() << tokenizer_file << " case " << i << ": " << ids.status();
      continue;
    }
    if (*ids == c.ids) {
      ++identical;
    } else {
      ADD_FAILURE() << tokenizer_file << " case " << i << " text \"" << c.text << "\"\n  expected "
                    << absl::StrJoin(c.ids, " ") << "\n  got      " << absl::StrJoin(*ids, " ");
    }
  }
  std::printf("%s: %d/%zu texts identical\n", tokenizer_file.c_str(), identical, cases.size());
  return identical;
}

TEST(Unigram, T5StyleModelMatchesSentencePiece) {
  ExpectIdentical("botchan-t5-unigram.model", Cases("botchan-t5-unigram.model.out"));
}

TEST(Unigram, ByteFallbackModelMatchesSentencePiece) {
  ExpectIdentical("botchan-t5-unigram-bf.model", Cases("botchan-t5-unigram-bf.model.out"));
}

// SentencePiece's own test model: "nfkc" rules, which keep tabs and newlines (unknown pieces here).
TEST(Unigram, SentencePieceTestModelMatchesSentencePiece) {
  ExpectIdentical("sentencepiece-test-model.model", Cases("sentencepiece-test-model.model.out"));
}

TEST(Unigram, T5GgufMatchesLlamaCpp) {
  ExpectIdentical("botchan-t5-unigram.gguf", Cases("botchan-t5-unigram.gguf.out"));
}

// tokenizers.js approximates the Precompiled normalizer with fixed rules that turn U+200D (in texts 22 and
// 45) into a space, where the model's character map deletes it; HF's Rust tokenizers apply the map itself.
// For those two texts the reference is the map's own program, SentencePiece. Whitespace-only texts are
// where HF and SentencePiece really differ (HF keeps one '▁'), and tokenizers.js is the reference there.
TEST(Unigram, T5TokenizerJsonMatchesTokenizersJs) {
  ExpectIdentical("botchan-t5-unigram.tokenizer.json", Cases("botchan-t5-unigram.tokenizer.json.out"), {22, 45},
                  Cases("botchan-t5-unigram.model.out"));
}

// Decoding gives what SentencePiece's decode gives for the same ids (the normalized text, " ⁇ " for unknown).
TEST(Unigram, DecodeMatchesSentencePiece) {
  for (const std::string name :
       {"botchan-t5-unigram", "botchan-t5-unigram-bf", "sentencepiece-test-model"}) {
    auto tokenizer = LoadTokenizer(kDir + name + ".model");
    ASSERT_TRUE(tokenizer.ok()) << tokenizer.status();
    const std::vector<VocabTestCase> cases = Cases(name + ".model.out");
    const std::vector<std::string> decoded = Texts(kDir + name + ".model.decoded");
    ASSERT_EQ(cases.size(), decoded.size()) << name;
    for (size_t i = 0; i < cases.size(); ++i) {
      EXPECT_EQ((*tokenizer)->Decode(cases[i].ids), decoded[i]) << name << " case " << i;
    }
  }
}

TEST(Unigram, LoadsWithT5Defaults) {
  auto tokenizer = LoadTokenizer(kDir + "botchan-t5-unigram.model");
  ASSERT_TRUE(tokenizer.ok()) << tokenizer.status();
  EXPECT_EQ((*tokenizer)->unk_id(), 2);
  EXPECT_EQ((*tokenizer)->eos_id(), 1);
  EXPECT_EQ((*tokenizer)->bos_id(), kNoToken);
  EXPECT_FALSE((*tokenizer)->add_bos_by_default());
  EXPECT_TRUE((*tokenizer)->add_eos_by_default());  // T5 appends </s>
  auto ids = (*tokenizer)->Encode("x", EncodeOptions{.add_eos = true});
  ASSERT_TRUE(ids.ok());
  EXPECT_EQ(ids->back(), 1);
  const auto* unigram = dynamic_cast<const UnigramTokenizer*>(tokenizer->get());
  ASSERT_NE(unigram, nullptr);
  // nmt_nfkc: full-width letters fold, runs of spaces collapse, a dummy '▁' leads.
  EXPECT_EQ(unigram->Normalize("  \xEF\xBC\xA1  b "), "\xE2\x96\x81" "A" "\xE2\x96\x81" "b");
}

TEST(Unigram, DamagedCharsMapIsAnError) {
  EXPECT_FALSE(PrecompiledCharsMap::Parse("abc", "test").ok());
  EXPECT_FALSE(PrecompiledCharsMap::Parse(std::string("\xFF\x00\x00\x00xxxx", 8), "test").ok());
  EXPECT_FALSE(PrecompiledCharsMap::Parse(std::string("\x03\x00\x00\x00xxxx", 8), "test").ok());
}

// A charsmap whose trie is random words must not read outside its arrays, whatever the input.
TEST(Unigram, RandomCharsMapDoesNotCrash) {
  std::mt19937 rng(7);
  for (int round = 0; round < 50; ++round) {
    std::string blob = std::string("\x40\x00\x00\x00", 4);
    for (int i = 0; i < 64 + 16; ++i) blob.push_back(static_cast<char>(rng()));
    auto map = PrecompiledCharsMap::Parse(blob, "random");
    ASSERT_TRUE(map.ok()) << map.status();
    std::string input;
    for (int i = 0; i < 64; ++i) input.push_back(static_cast<char>(rng()));
    for (std::string_view rest = input; !rest.empty();) {
      std::string_view out;
      const size_t consumed = map->NormalizePrefix(rest, &out);
      ASSERT_GE(consumed, 1u);
      ASSERT_LE(consumed, rest.size());
      rest.remove_prefix(consumed);
    }
  }
}

}  // namespace
}  // namespace ttt::tokenizers
