// A llama2.c checkpoint: seven int32 header fields (dim, hidden_dim, layers, heads, kv heads, vocab with
// its sign for a shared classifier, seq_len) then f32 weights whose sizes they imply. A successful load
// has every weight inside the file and a spec that validates or is refused with a message.
#include "core/formats/llama2c/llama2c_checkpoint.h"
#include "core/specs/validate.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  ttt::fuzz::Quiet();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = ttt::fuzz::WriteFile("model.bin", ttt::fuzz::Bytes(data, size));
  auto model = ttt::formats::LoadLlama2c(path);
  if (!model.ok()) return 0;
  for (const auto& [name, tensor] : model->weights) ttt::fuzz::TouchAll(tensor);
  (void)ttt::ValidateModel(model->spec);
  return 0;
}
