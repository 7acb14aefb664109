// A sharded checkpoint: the fuzzed model.safetensors.index.json (its weight_map names shards and tensors)
// beside two valid shards. Shards must stay inside the checkpoint's folder, and every tensor the
// index lists must load from the shard it names.
#include "core/formats/safetensors/safetensors_file.h"
#include "core/formats/testing/format_writers.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  ttt::fuzz::Quiet();
  std::filesystem::create_directories(ttt::fuzz::Folder() + "/ckpt");
  // Two shards of two f32 tensors each, as the index seeds (tools/fuzz.sh) name them.
  using ttt::formats::testing::SafetensorsWriter;
  ttt::fuzz::WriteFile("ckpt/model-00001-of-00002.safetensors", SafetensorsWriter()
                                                                   .Add("a", "F32", {2, 2}, std::string(16, '\1'))
                                                                   .Add("b", "F32", {3}, std::string(12, '\2'))
                                                                   .Build());
  ttt::fuzz::WriteFile("ckpt/model-00002-of-00002.safetensors", SafetensorsWriter()
                                                                   .Add("c", "BF16", {4}, std::string(8, '\3'))
                                                                   .Add("d", "F32", {1, 1}, std::string(4, '\4'))
                                                                   .Build());
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ttt::fuzz::WriteFile("ckpt/model.safetensors.index.json", ttt::fuzz::Bytes(data, size));
  const std::string dir = ttt::fuzz::Folder() + "/ckpt";
  auto ckpt = ttt::formats::SafetensorsCheckpoint::Open(dir);
  if (!ckpt.ok()) return 0;
  for (const std::string& file : (*ckpt)->files()) {
    TTT_FUZZ_CHECK(std::filesystem::weakly_canonical(file).string().rfind(dir + "/", 0) == 0);
  }
  for (const std::string& name : (*ckpt)->TensorNames()) {
    TTT_FUZZ_CHECK((*ckpt)->Has(name));
    auto tensor = (*ckpt)->LoadTensor(name);
    TTT_FUZZ_CHECK(tensor.ok());
    ttt::fuzz::TouchAll(*tensor);
  }
  return 0;
}
