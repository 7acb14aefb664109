// GPT-2's vocab.json + merges.txt, the two given as one input split at its first NUL (neither file holds
// one; tools/fuzz.sh builds the seeds that way).
#include "core/tokenizers/tokenizer_loader.h"
#include "tests/fuzz/fuzz_support.h"
#include "tests/fuzz/tokenizer_checks.h"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  ttt::fuzz::Quiet();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto [vocab, merges] = ttt::fuzz::SplitAtNul(ttt::fuzz::Bytes(data, size));
  const std::string vocab_path = ttt::fuzz::WriteFile("vocab.json", vocab);
  const std::string merges_path = ttt::fuzz::WriteFile("merges.txt", merges);
  auto tokenizer = ttt::tokenizers::LoadGpt2VocabAndMerges(vocab_path, merges_path);
  if (tokenizer.ok()) ttt::fuzz::ExerciseTokenizer(**tokenizer);
  return 0;
}
