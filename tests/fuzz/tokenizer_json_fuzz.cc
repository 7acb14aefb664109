// Hugging Face tokenizer.json: model (BPE, WordPiece, Unigram), normalizer, pre-tokenizer, decoder,
// post-processor and added tokens, each possibly a Sequence.
#include "core/tokenizers/tokenizer_loader.h"
#include "tests/fuzz/fuzz_support.h"
#include "tests/fuzz/tokenizer_checks.h"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  ttt::fuzz::Quiet();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = ttt::fuzz::WriteFile("tokenizer.json", ttt::fuzz::Bytes(data, size));
  auto tokenizer = ttt::tokenizers::LoadHfTokenizerJson(path);
  if (tokenizer.ok()) ttt::fuzz::ExerciseTokenizer(**tokenizer);
  return 0;
}
