// A GGUF file: header, metadata (every value type, nested arrays), tensor infos and data offsets. A
// successful open must answer every getter for every key without crashing, and every tensor it lists must
// load inside the file.
#include "core/formats/gguf/gguf_file.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  ttt::fuzz::Quiet();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = ttt::fuzz::WriteFile("model.gguf", ttt::fuzz::Bytes(data, size));
  auto gguf = ttt::formats::GgufFile::Open(path);
  if (!gguf.ok()) return 0;
  const ttt::formats::GgufFile& g = **gguf;
  for (const std::string& key : g.Keys()) {
    TTT_FUZZ_CHECK(g.Has(key));
    (void)g.TypeOf(key);
    (void)g.GetString(key);
    (void)g.GetInt(key);
    (void)g.GetFloat(key);
    (void)g.GetBool(key);
    (void)g.GetStringArray(key);
    (void)g.GetIntArray(key);
    (void)g.GetFloatArray(key);
  }
  for (const auto& info : g.tensors()) {
    TTT_FUZZ_CHECK(info.offset <= size && info.bytes <= size - info.offset);
    auto tensor = g.LoadTensor(info.name);
    if (tensor.ok()) ttt::fuzz::TouchAll(*tensor);
  }
  return 0;
}
