// llama2.c's tokenizer.bin: max token length, then per token a float score, an int32 length and the bytes.
#include "core/tokenizers/tokenizer_loader.h"
#include "tests/fuzz/fuzz_support.h"
#include "tests/fuzz/tokenizer_checks.h"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  ttt::fuzz::Quiet();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = ttt::fuzz::WriteFile("tokenizer.bin", ttt::fuzz::Bytes(data, size));
  auto tokenizer = ttt::tokenizers::LoadLlama2cTokenizer(path);
  if (tokenizer.ok()) ttt::fuzz::ExerciseTokenizer(**tokenizer);
  return 0;
}
