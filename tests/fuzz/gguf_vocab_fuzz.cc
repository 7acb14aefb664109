// The vocabulary a GGUF file carries (tokenizer.ggml.*: model, tokens, scores, token types, merges, special
// ids, pre-tokenizer): a tokenizer built from it must encode and decode a few texts with ids in range.
#include "core/formats/gguf/gguf_file.h"
#include "core/tokenizers/tokenizer_loader.h"
#include "tests/fuzz/fuzz_support.h"
#include "tests/fuzz/tokenizer_checks.h"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  ttt::fuzz::Quiet();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = ttt::fuzz::WriteFile("vocab.gguf", ttt::fuzz::Bytes(data, size));
  auto gguf = ttt::formats::GgufFile::Open(path);
  if (!gguf.ok()) return 0;
  auto tokenizer = ttt::tokenizers::LoadTokenizerFromGguf(**gguf);
  if (tokenizer.ok()) ttt::fuzz::ExerciseTokenizer(**tokenizer);
  return 0;
}
