// The split rules on their own: HF's delimiter behaviours, inverted matches, rules after ByteLevel, and a
// bad pattern's error.
#include "core/tokenizers/regex_pretokenizer.h"

#include <gtest/gtest.h>

namespace ttt::tokenizers {
namespace {

std::vector<std::string> SplitWith(const std::vector<SplitRule>& rules, std::string_view text) {
  auto pre_tokenizer = RegexPreTokenizer::Create(rules, "test");
  EXPECT_TRUE(pre_tokenizer.ok()) << pre_tokenizer.status();
  auto chunks = (*pre_tokenizer)->Split(text);
  EXPECT_TRUE(chunks.ok()) << chunks.status();
  return {chunks->begin(), chunks->end()};
}

using Chunks = std::vector<std::string>;

TEST(RegexPreTokenizer, Behaviors) {
  const std::string text = "a--b-c";
  auto rule = [](SplitBehavior behavior) { return SplitRule{.pattern = "-", .behavior = behavior}; };
  EXPECT_EQ(SplitWith({rule(SplitBehavior::kIsolated)}, text), (Chunks{"a", "-", "-", "b", "-", "c"}));
  EXPECT_EQ(SplitWith({rule(SplitBehavior::kRemoved)}, text), (Chunks{"a", "b", "c"}));
  EXPECT_EQ(SplitWith({rule(SplitBehavior::kMergedWithPrevious)}, text), (Chunks{"a-", "-", "b-", "c"}));
  EXPECT_EQ(SplitWith({rule(SplitBehavior::kMergedWithNext)}, text), (Chunks{"a", "-", "-b", "-c"}));
  EXPECT_EQ(SplitWith({rule(SplitBehavior::kContiguous)}, text), (Chunks{"a", "--", "b", "-", "c"}));
}

TEST(RegexPreTokenizer, InvertAndLiteral) {
  // HF's Whitespace pre-tokenizer: keep the words and punctuation runs, drop the rest.
  EXPECT_EQ(SplitWith({{.pattern = R"(\w+|[^\w\s]+)", .behavior = SplitBehavior::kRemoved, .invert = true}},
                      "Hi, you  there!"),
            (Chunks{"Hi", ",", "you", "there", "!"}));
  EXPECT_EQ(SplitWith({{.pattern = "a.", .literal = true}}, "xa.yaz"), (Chunks{"x", "a.", "yaz"}));
}

TEST(RegexPreTokenizer, RulesApplyWithinEarlierChunks) {
  // GPT-2 keeps " 1234" whole; single digits then split it, and the lookahead never sees past a chunk.
  EXPECT_EQ(SplitWith({{.pattern = std::string(kGpt2SplitPattern)}, {.pattern = R"(\p{N})"}}, "ab 1234"),
            (Chunks{"ab", " ", "1", "2", "3", "4"}));
}

TEST(RegexPreTokenizer, OnByteLevelText) {
  // 'ó' is C3 B3; as GPT-2's byte characters "Ã³", and '³' is a number, so a digit rule splits it off.
  EXPECT_EQ(SplitWith({{.pattern = R"(\p{N}+)", .on_byte_level_text = true}}, "x\xC3\xB3y"),
            (Chunks{"x\xC3", "\xB3", "y"}));
  EXPECT_EQ(SplitWith({{.pattern = R"(\p{N}+)"}}, "x\xC3\xB3y"), (Chunks{"x\xC3\xB3y"}));
}

TEST(RegexPreTokenizer, InvalidUtf8IsKept) {
  const std::string text = "a\xFF b\xC3";
  std::string joined;
  for (const std::string& chunk : SplitWith({{.pattern = std::string(kGpt2SplitPattern)}}, text)) joined += chunk;
  EXPECT_EQ(joined, text);
}

TEST(RegexPreTokenizer, BadPatternNamesIt) {
  auto pre_tokenizer = RegexPreTokenizer::Create({{.pattern = "(unclosed"}}, "model.json");
  ASSERT_FALSE(pre_tokenizer.ok());
  EXPECT_NE(pre_tokenizer.status().message().find("(unclosed"), std::string::npos) << pre_tokenizer.status();
  EXPECT_NE(pre_tokenizer.status().message().find("model.json"), std::string::npos) << pre_tokenizer.status();
}

}  // namespace
}  // namespace ttt::tokenizers
