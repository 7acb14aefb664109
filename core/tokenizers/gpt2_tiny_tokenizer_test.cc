// hf-internal-testing/tiny-random-gpt2's tokenizer: 1000 tokens that cover only part of the 256 bytes. Its
// tokenizer.json and its vocab.json + merges.txt must give the same ids wherever the vocabulary covers
// the text, and refuse the same texts otherwise.
#include <gtest/gtest.h>

#include "core/tokenizers/tokenizer_loader.h"
#include "core/tokenizers/vocab_test_cases.h"

namespace ttt::tokenizers {
namespace {

const std::string kHf = std::string(TTT_FIXTURES_DIR) + "/gpt2-tiny/hf/";
const std::string kVocabTests = std::string(TTT_FIXTURES_DIR) + "/tokenizers/vocab-tests/";

TEST(Gpt2TinyTokenizer, JsonAndVocabMergesAgree) {
  auto json = LoadTokenizer(kHf + "tokenizer.json");
  auto files = LoadTokenizer(kHf + "vocab.json");
  ASSERT_TRUE(json.ok()) << json.status();
  ASSERT_TRUE(files.ok()) << files.status();
  EXPECT_EQ((*json)->vocab_size(), 1000);
  EXPECT_EQ((*files)->vocab_size(), 1000);
  EXPECT_EQ((*json)->eos_id(), 0);  // <|endoftext|>, per tokenizer_config.json
  EXPECT_EQ((*files)->eos_id(), 0);

  const auto cases = ReadVocabTestCases(kVocabTests + "ggml-vocab-gpt-2.gguf.inp",
                                        kVocabTests + "ggml-vocab-gpt-2.gguf.out");
  ASSERT_GT(cases.size(), 30u);
  int covered = 0, identical = 0;
  for (const VocabTestCase& c : cases) {
    auto a = (*json)->Encode(c.text, false);
    auto b = (*files)->Encode(c.text, false);
    ASSERT_EQ(a.ok(), b.ok()) << "\"" << c.text << "\": " << a.status() << " / " << b.status();
    if (!a.ok()) continue;
    ++covered;
    EXPECT_EQ(*a, *b) << c.text;
    identical += *a == *b;
    EXPECT_EQ((*json)->Decode(*a), c.text);
  }
  std::printf("gpt2-tiny: %d/%d covered texts identical (json vs vocab+merges); %zu texts in all\n", identical,
              covered, cases.size());
  EXPECT_GE(covered, 10);
}

// A directory with tokenizer.json loads that; the merges really apply ("Ġt" + "he" style pieces).
TEST(Gpt2TinyTokenizer, DirectoryAndMerges) {
  auto tokenizer = LoadTokenizer(kHf);
  ASSERT_TRUE(tokenizer.ok()) << tokenizer.status();
  auto ids = (*tokenizer)->Encode(" the", false);
  ASSERT_TRUE(ids.ok());
  ASSERT_EQ(ids->size(), 1u) << "\" the\" is a single piece of GPT-2 vocabularies";
  EXPECT_EQ((*tokenizer)->TokenText((*ids)[0]), "\xC4\xA0the");  // "Ġthe"
}

}  // namespace
}  // namespace ttt::tokenizers
