// SentencePiece's tokenizer.model: a ModelProto (pieces, scores, types, trainer and normalizer specs,
// precompiled character map).
#include "core/tokenizers/tokenizer_loader.h"
#include "tests/fuzz/fuzz_support.h"
#include "tests/fuzz/tokenizer_checks.h"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  ttt::fuzz::Quiet();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = ttt::fuzz::WriteFile("tokenizer.model", ttt::fuzz::Bytes(data, size));
  auto tokenizer = ttt::tokenizers::LoadSentencePieceModel(path);
  if (tokenizer.ok()) ttt::fuzz::ExerciseTokenizer(**tokenizer);
  return 0;
}
