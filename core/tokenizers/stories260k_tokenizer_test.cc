// The stories260K tokenizer in its three files: llama2.c's tok512.bin, the SentencePiece tok512.model it
// was exported from, and the copy llama.cpp's converter embedded in stories260K.gguf. They must agree, and
// run.c's own output text must survive encode + decode.
#include <gtest/gtest.h>

#include "absl/strings/str_split.h"
#include "core/tokenizers/tokenizer_loader.h"
#include "core/tokenizers/vocab_test_cases.h"

namespace ttt::tokenizers {
namespace {

const std::string kDir = std::string(TTT_FIXTURES_DIR) + "/stories260K/";

std::unique_ptr<Tokenizer> Load(const std::string& name) {
  auto tokenizer = LoadTokenizer(kDir + name);
  EXPECT_TRUE(tokenizer.ok()) << name << ": " << tokenizer.status();
  return tokenizer.ok() ? *std::move(tokenizer) : nullptr;
}

// Texts without runs of spaces: SentencePiece's tok512.model collapses those (remove_extra_whitespaces is
// on in its normalizer spec), while run.c keeps them.
std::vector<std::string> SampleTexts() {
  std::vector<std::string> texts = {
      "Once upon a time",
      "Lily and Ben went to the park. They saw a big, red ball!",
      "\"I'm sorry,\" said the cat.",
      "Zebra 123 quux; café, naïve — 日本語 🦙",
      "a",
      "",
  };
  const std::string story = ReadWholeFile(kDir + "expected_greedy_256.txt");
  for (absl::string_view line : absl::StrSplit(story, '\n')) texts.emplace_back(line);
  texts.push_back(story);
  return texts;
}

TEST(Stories260KTokenizer, BinModelAndGgufAgree) {
  auto bin = Load("tok512.bin");
  auto model = Load("tok512.model");
  auto gguf = Load("stories260K.gguf");
  ASSERT_TRUE(bin && model && gguf);
  ASSERT_EQ(bin->vocab_size(), 512);
  ASSERT_EQ(model->vocab_size(), 512);
  ASSERT_EQ(gguf->vocab_size(), 512);
  int identical = 0;
  const auto texts = SampleTexts();
  for (const std::string& text : texts) {
    for (bool bos : {false, true}) {
      auto a = bin->Encode(text, bos);
      auto b = model->Encode(text, bos);
      auto c = gguf->Encode(text, bos);
      ASSERT_TRUE(a.ok() && b.ok() && c.ok()) << text;
      EXPECT_EQ(*a, *b) << "tok512.bin vs tok512.model on \"" << text << "\"";
      EXPECT_EQ(*a, *c) << "tok512.bin vs stories260K.gguf on \"" << text << "\"";
      identical += (*a == *b && *a == *c);
    }
  }
  std::printf("stories260K: %d/%zu encodings identical across tok512.bin, tok512.model, gguf\n", identical,
              2 * texts.size());
}

// run.c's conventions: BOS is id 1, a dummy space prefix only for non-empty text, bytes as id = byte + 3.
TEST(Stories260KTokenizer, FollowsRunCConventions) {
  auto bin = Load("tok512.bin");
  ASSERT_TRUE(bin);
  EXPECT_EQ(bin->bos_id(), 1);
  EXPECT_EQ(bin->eos_id(), 2);
  EXPECT_EQ(*bin->Encode("", true), std::vector<int32_t>({1}));
  EXPECT_TRUE(bin->Encode("", false)->empty());
  // A 512-token vocabulary trained on English stories has no piece for '日' (E6 97 A5): it falls back to bytes.
  auto ids = bin->Encode("\xE6\x97\xA5", false);
  ASSERT_TRUE(ids.ok());
  ASSERT_EQ(ids->size(), 4u);  // the dummy-prefix space, then the three bytes
  EXPECT_EQ((*ids)[1], 0xE6 + 3);
  EXPECT_EQ((*ids)[2], 0x97 + 3);
  EXPECT_EQ((*ids)[3], 0xA5 + 3);
  EXPECT_EQ(bin->TokenText((*ids)[0]), "\xE2\x96\x81");  // the space, as '▁'
}

TEST(Stories260KTokenizer, RunCOutputRoundTrips) {
  const std::string story = ReadWholeFile(kDir + "expected_greedy_256.txt");
  ASSERT_FALSE(story.empty());
  for (const char* name : {"tok512.bin", "tok512.model", "stories260K.gguf"}) {
    auto tokenizer = Load(name);
    ASSERT_TRUE(tokenizer);
    auto ids = tokenizer->Encode(story, /*add_bos=*/true);
    ASSERT_TRUE(ids.ok());
    EXPECT_EQ(ids->front(), 1);
    EXPECT_EQ(tokenizer->Decode(*ids), story) << name;
    // Fewer tokens than bytes: the merges did something.
    EXPECT_LT(ids->size(), story.size() / 2) << name;
  }
}

}  // namespace
}  // namespace ttt::tokenizers
