// Spot checks of the generated Unicode tables against facts from the Unicode Character Database.
#include "core/tokenizers/unicode_props.h"

#include <gtest/gtest.h>

namespace ttt::tokenizers {
namespace {

TEST(UnicodeProps, CharClasses) {
  EXPECT_EQ(CharClassOf(U'a'), CharClass::kLetter);
  EXPECT_EQ(CharClassOf(0x4E2D), CharClass::kLetter);  // 中
  EXPECT_EQ(CharClassOf(0x301), CharClass::kNonspacingMark);
  EXPECT_EQ(CharClassOf(U'7'), CharClass::kNumber);
  EXPECT_EQ(CharClassOf(0xBD), CharClass::kNumber);  // ½
  EXPECT_EQ(CharClassOf(U','), CharClass::kPunctuation);
  EXPECT_EQ(CharClassOf(U'$'), CharClass::kSymbol);
  EXPECT_EQ(CharClassOf(0x200D), CharClass::kOther);  // zero-width joiner (Cf)
  EXPECT_EQ(CharClassOf(0x10FFFF), CharClass::kOther);
  EXPECT_TRUE(IsWhiteSpace(0x3000));
  EXPECT_FALSE(IsWhiteSpace(0x200B));
}

TEST(UnicodeProps, Lowercase) {
  std::u32string lower;
  for (char32_t c : std::u32string(U"ÀBΣЖĀ\u0130")) AppendLowercase(c, &lower);
  EXPECT_EQ(lower, U"àbσжāi\u0307");
}

TEST(UnicodeProps, NormalForms) {
  EXPECT_EQ(ToNfd(U"é"), U"e\u0301");
  EXPECT_EQ(ToNfd(U"\u1E69"), U"s\u0323\u0307");              // ṩ: two marks, in canonical order
  EXPECT_EQ(ToNfd(U"q\u0307\u0323"), U"q\u0323\u0307");       // marks reordered by combining class
  EXPECT_EQ(ToNfd(U"\uD55C"), U"\u1112\u1161\u11AB");         // 한, by arithmetic
  EXPECT_EQ(ToNfc(U"e\u0301"), U"é");
  EXPECT_EQ(ToNfc(U"s\u0307\u0323"), U"\u1E69");
  EXPECT_EQ(ToNfc(U"\u1112\u1161\u11AB"), U"\uD55C");
  EXPECT_EQ(ToNfc(U"\u0958"), U"\u0915\u093C");  // a composition exclusion stays decomposed
  EXPECT_EQ(ToNfc(U"\u212B"), U"Å");             // a singleton decomposes for good
}

TEST(UnicodeProps, Utf8) {
  EXPECT_EQ(DecodeUtf8("a\xC3\xA9\xF0\x9F\x98\x80"), U"aé\U0001F600");
  EXPECT_EQ(DecodeUtf8("\xFF" "b\xC3"), U"\uFFFD" U"b\uFFFD");
  EXPECT_EQ(EncodeUtf8(U"aé\U0001F600"), "a\xC3\xA9\xF0\x9F\x98\x80");
}

}  // namespace
}  // namespace ttt::tokenizers
