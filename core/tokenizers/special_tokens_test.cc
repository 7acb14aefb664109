// Control tokens in text: recognised only when asked (EncodeOptions::parse_special), BOS on request, and
// control tokens decode to nothing.
#include <gtest/gtest.h>

#include "core/tokenizers/tokenizer_loader.h"

namespace ttt::tokenizers {
namespace {

const std::string kVocabTests = std::string(TTT_FIXTURES_DIR) + "/tokenizers/vocab-tests/";

bool Contains(const std::vector<int32_t>& ids, int32_t id) {
  return std::find(ids.begin(), ids.end(), id) != ids.end();
}

TEST(SpecialTokens, SentencePieceControlTokensOnlyWhenAsked) {
  auto tokenizer = LoadTokenizer(kVocabTests + "ggml-vocab-llama-spm.gguf");
  ASSERT_TRUE(tokenizer.ok()) << tokenizer.status();
  const Tokenizer& t = **tokenizer;
  // 15043 is "▁Hello" (llama.cpp's vectors): the text after a special token gets the dummy prefix again.
  auto parsed = t.Encode("<s>Hello</s>", EncodeOptions{.parse_special = true});
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(*parsed, std::vector<int32_t>({1, 15043, 2}));
  auto literal = t.Encode("<s>Hello</s>", false);
  ASSERT_TRUE(literal.ok());
  EXPECT_FALSE(Contains(*literal, 1));
  EXPECT_FALSE(Contains(*literal, 2));
  EXPECT_EQ(t.Decode(*literal), "<s>Hello</s>");
  EXPECT_EQ(t.Decode(*parsed), "Hello");  // control tokens print nothing
}

TEST(SpecialTokens, BosOnRequest) {
  auto tokenizer = LoadTokenizer(kVocabTests + "ggml-vocab-llama-spm.gguf");
  ASSERT_TRUE(tokenizer.ok()) << tokenizer.status();
  EXPECT_EQ(*(*tokenizer)->Encode("Hello", true), std::vector<int32_t>({1, 15043}));
  EXPECT_EQ(*(*tokenizer)->Encode("Hello", false), std::vector<int32_t>({15043}));
  EXPECT_EQ(*(*tokenizer)->Encode("", true), std::vector<int32_t>({1}));
}

TEST(SpecialTokens, Gpt2EndOfText) {
  auto tokenizer = LoadTokenizer(kVocabTests + "ggml-vocab-gpt-2.gguf");
  ASSERT_TRUE(tokenizer.ok()) << tokenizer.status();
  const Tokenizer& t = **tokenizer;
  EXPECT_EQ(t.eos_id(), 50256);
  auto parsed = t.Encode("Hello<|endoftext|>", EncodeOptions{.parse_special = true});
  ASSERT_TRUE(parsed.ok());
  ASSERT_FALSE(parsed->empty());
  EXPECT_EQ(parsed->back(), 50256);
  auto literal = t.Encode("Hello<|endoftext|>", false);
  ASSERT_TRUE(literal.ok());
  EXPECT_FALSE(Contains(*literal, 50256));
  EXPECT_EQ(t.Decode(*literal), "Hello<|endoftext|>");
  EXPECT_EQ(t.Decode(*parsed), "Hello");
}

TEST(SpecialTokens, DecodeSkipsIdsOutOfRange) {
  auto tokenizer = LoadTokenizer(kVocabTests + "ggml-vocab-llama-spm.gguf");
  ASSERT_TRUE(tokenizer.ok()) << tokenizer.status();
  EXPECT_EQ((*tokenizer)->Decode({-5, 15043, 1 << 30}), "Hello");
  EXPECT_EQ((*tokenizer)->TokenText(-1), "");
}

}  // namespace
}  // namespace ttt::tokenizers
