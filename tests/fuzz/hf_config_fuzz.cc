// Hugging Face config.json (and generation_config.json, after the input's first NUL) to a model spec. A
// spec that comes out must survive the text format: written, read again and written, the same text.
#include "core/formats/hf/hf_config.h"
#include "core/specs/text_format.h"
#include "core/specs/validate.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  ttt::fuzz::Quiet();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto [config, generation] = ttt::fuzz::SplitAtNul(ttt::fuzz::Bytes(data, size));
  ttt::formats::HfConfigText text;
  text.config_json = std::string(config);
  text.config_path = "config.json";
  if (!generation.empty()) text.generation_config_json = std::string(generation);
  text.generation_config_path = "generation_config.json";
  auto spec = ttt::formats::ModelSpecFromHfConfig(text);
  if (!spec.ok()) return 0;
  const std::string written = ttt::ToTextProto(*spec);
  ttt::spec::ModelSpec again;
  TTT_FUZZ_CHECK(ttt::ParseTextProto(written, &again).ok());
  TTT_FUZZ_CHECK(ttt::ToTextProto(again) == written);
  (void)ttt::ValidateModel(*std::move(spec));
  return 0;
}
