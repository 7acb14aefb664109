// Streaming decoding: multi-byte characters split across tokens come out whole, never as broken UTF-8.
#include "core/tokenizers/streaming_decoder.h"

#include <gtest/gtest.h>

#include "core/tokenizers/tokenizer_loader.h"
#include "core/tokenizers/utf8.h"

namespace ttt::tokenizers {
namespace {

const std::string kVocabTests = std::string(TTT_FIXTURES_DIR) + "/tokenizers/vocab-tests/";

TEST(Utf8, CompletePrefixLength) {
  EXPECT_EQ(Utf8CompletePrefixLength(""), 0u);
  EXPECT_EQ(Utf8CompletePrefixLength("abc"), 3u);
  EXPECT_EQ(Utf8CompletePrefixLength("a\xF0\x9F\xA6"), 1u);      // 🦙 missing its last byte
  EXPECT_EQ(Utf8CompletePrefixLength("a\xF0\x9F\xA6\x99"), 5u);  // whole
  EXPECT_EQ(Utf8CompletePrefixLength("a\xC3"), 1u);              // é missing its second byte
  EXPECT_EQ(Utf8CompletePrefixLength("a\xFF"), 2u);              // never valid: not held back
  EXPECT_EQ(Utf8CompletePrefixLength("\x80\x80\x80"), 3u);       // stray continuations: not held back
}

// In the Llama-2 vocabulary 🦙 (F0 9F A6 99) has no piece: llama.cpp's expectation for " this is 🦙.cpp" is
// 29871 445 338 29871 243 162 169 156 29889 8223, i.e. four <0xXX> byte tokens (id = byte + 3).
TEST(StreamingDecoder, ByteFallbackTokensOfOneCharacter) {
  auto tokenizer = LoadTokenizer(kVocabTests + "ggml-vocab-llama-spm.gguf");
  ASSERT_TRUE(tokenizer.ok()) << tokenizer.status();
  StreamingDecoder decoder(**tokenizer);
  std::string text;
  text += decoder.Push(445);  // "▁this"
  EXPECT_EQ(text, "this");    // the dummy-prefix space is not text
  text += decoder.Push(338);  // "▁is"
  text += decoder.Push(29871);
  EXPECT_EQ(text, "this is ");
  for (int32_t id : {243, 162, 169}) {
    EXPECT_EQ(decoder.Push(id), "") << "an incomplete character must be held back";
  }
  EXPECT_EQ(decoder.pending_bytes(), 3u);
  EXPECT_EQ(decoder.Push(156), "\xF0\x9F\xA6\x99");
  text += "\xF0\x9F\xA6\x99";
  text += decoder.Push(29889);
  text += decoder.Push(8223);
  text += decoder.Flush();
  EXPECT_EQ(text, "this is \xF0\x9F\xA6\x99.cpp");
  EXPECT_EQ(text, (*tokenizer)->Decode({445, 338, 29871, 243, 162, 169, 156, 29889, 8223}));
}

TEST(StreamingDecoder, ContinuesAfterAPrompt) {
  auto tokenizer = LoadTokenizer(kVocabTests + "ggml-vocab-llama-spm.gguf");
  ASSERT_TRUE(tokenizer.ok()) << tokenizer.status();
  // Continuing after prompt token 15043 ("▁Hello"), "▁world" keeps its space.
  StreamingDecoder decoder(**tokenizer, /*previous=*/15043);
  EXPECT_EQ(decoder.Push(3186), " world");
  // After BOS the first piece's space is the dummy prefix.
  StreamingDecoder after_bos(**tokenizer, (*tokenizer)->bos_id());
  EXPECT_EQ(after_bos.Push(3186), "world");
}

TEST(StreamingDecoder, IncompleteCharacterIsFlushedRaw) {
  auto tokenizer = LoadTokenizer(kVocabTests + "ggml-vocab-llama-spm.gguf");
  ASSERT_TRUE(tokenizer.ok()) << tokenizer.status();
  StreamingDecoder decoder(**tokenizer);
  EXPECT_EQ(decoder.Push(243), "");
  EXPECT_EQ(decoder.Push(162), "");
  EXPECT_EQ(decoder.Flush(), "\xF0\x9F");
  EXPECT_EQ(decoder.pending_bytes(), 0u);
}

// Byte-level BPE: every token id of a GPT-2 encoding streamed one at a time yields only valid prefixes
// and, in total, the original text.
TEST(StreamingDecoder, ByteLevelStreamsWholeCharacters) {
  auto tokenizer = LoadTokenizer(kVocabTests + "ggml-vocab-gpt-2.gguf");
  ASSERT_TRUE(tokenizer.ok()) << tokenizer.status();
  const std::string text = "\xE1\x9E\x80\xE1\x9E\xB6 \xF0\x9F\x98\x81 ?\xE6\x88\x91\xE6\x83\xB3 caf\xC3\xA9";
  auto ids = (*tokenizer)->Encode(text, false);
  ASSERT_TRUE(ids.ok());
  StreamingDecoder decoder(**tokenizer);
  std::string streamed;
  bool held_back = false;
  for (int32_t id : *ids) {
    const std::string piece = decoder.Push(id);
    EXPECT_EQ(Utf8CompletePrefixLength(piece), piece.size());
    held_back = held_back || decoder.pending_bytes() > 0;
    streamed += piece;
  }
  streamed += decoder.Flush();
  EXPECT_EQ(streamed, text);
  EXPECT_TRUE(held_back) << "this text splits characters across GPT-2 tokens; the test lost its point";
}

}  // namespace
}  // namespace ttt::tokenizers
