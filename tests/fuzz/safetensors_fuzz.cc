// One safetensors file: the 8-byte header length, the JSON header (dtypes, shapes, data offsets, metadata)
// and the data. Every tensor a successful parse lists must load and lie inside the file.
#include "core/formats/safetensors/safetensors_file.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  ttt::fuzz::Quiet();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = ttt::fuzz::WriteFile("model.safetensors", ttt::fuzz::Bytes(data, size));
  auto file = ttt::formats::SafetensorsFile::Open(path);
  if (!file.ok()) return 0;
  for (const auto& info : (*file)->tensors()) {
    TTT_FUZZ_CHECK(info.offset <= size && info.bytes <= size - info.offset);
    TTT_FUZZ_CHECK((*file)->FindTensor(info.name) == &info);
    auto tensor = (*file)->LoadTensor(info.name);
    if (tensor.ok()) ttt::fuzz::TouchAll(*tensor);
  }
  return 0;
}
