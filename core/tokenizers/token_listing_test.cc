// The three listings of `ttt tokenize`, on the GPT-2, Llama-2 and BERT vocabularies, and prompt escapes.
#include "core/tokenizers/token_listing.h"

#include <gtest/gtest.h>

#include "core/tokenizers/tokenizer_loader.h"

namespace ttt::tokenizers {
namespace {

const std::string kVocabTests = std::string(TTT_FIXTURES_DIR) + "/tokenizers/vocab-tests/";

std::unique_ptr<Tokenizer> Load(const std::string& name) {
  auto tokenizer = LoadTokenizer(kVocabTests + "ggml-vocab-" + name + ".gguf");
  EXPECT_TRUE(tokenizer.ok()) << tokenizer.status();
  return tokenizer.ok() ? *std::move(tokenizer) : nullptr;
}

TEST(TokenListing, LikeLlamaTokenize) {
  auto llama = Load("llama-spm");
  auto ids = llama->Encode("Hello world", /*add_bos=*/true);
  ASSERT_TRUE(ids.ok());
  // The control token shows its text; the dummy-prefix space stays on the first word, as llama.cpp shows it.
  EXPECT_EQ(FormatTokens(*llama, *ids, TokenListing::kIdsAndPieces),
            "     1 -> '<s>'\n 15043 -> ' Hello'\n  3186 -> ' world'\n");
  EXPECT_EQ(FormatTokens(*llama, *ids, TokenListing::kIds), "[1, 15043, 3186]\n");
  EXPECT_EQ(FormatTokens(*llama, *ids, TokenListing::kPieces), "['<s>', '\xE2\x96\x81Hello', '\xE2\x96\x81world']\n");

  auto gpt2 = Load("gpt-2");
  ids = gpt2->Encode("it's\n", false);
  ASSERT_TRUE(ids.ok());
  EXPECT_EQ(FormatTokens(*gpt2, *ids, TokenListing::kPieces), "['it', '\\'s', '\xC4\x8A']\n");
  EXPECT_EQ(FormatTokens(*gpt2, *ids, TokenListing::kIdsAndPieces), "   270 -> 'it'\n   338 -> ''s'\n   198 -> '\n'\n");

  auto bert = Load("bert-bge");
  ids = bert->Encode("Hello world", true);
  ASSERT_TRUE(ids.ok());
  EXPECT_EQ(FormatTokens(*bert, *ids, TokenListing::kIdsAndPieces),
            "   101 -> '[CLS]'\n  7592 -> ' hello'\n  2088 -> ' world'\n   102 -> '[SEP]'\n");
  EXPECT_EQ(FormatTokens(*bert, {}, TokenListing::kIds), "[]\n");
}

TEST(TokenListing, ProcessEscapes) {
  EXPECT_EQ(ProcessEscapes(R"(a\nb\tc\\d\'e\"f\x41\x4g\q\)"), "a\nb\tc\\d'e\"fA\\x4g\\q\\");
}

}  // namespace
}  // namespace ttt::tokenizers
