// The text-format Protobuf files people edit: a model spec, a device profile, a hardware-config override,
// a module's default configs and a module manifest (the input's first byte picks which). A parse that
// succeeds must round-trip through the text format, and the validators must answer with a status.
#include "core/governance/proto/manifest.pb.h"
#include "core/hwconfig/device_validation.h"
#include "core/hwconfig/proto/device_profile.pb.h"
#include "core/hwconfig/proto/module_defaults.pb.h"
#include "core/hwconfig/proto/op_config.pb.h"
#include "core/specs/proto/model.pb.h"
#include "core/specs/text_format.h"
#include "core/specs/validate.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  ttt::fuzz::Quiet();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const absl::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  ttt::spec::ModelSpec spec;
  ttt::hw::DeviceProfile device;
  ttt::hw::ModelHwConfig config;
  ttt::hw::ModuleDefaults defaults;
  ttt::gov::ModuleManifest manifest;
  google::protobuf::Message* messages[] = {&spec, &device, &config, &defaults, &manifest};
  google::protobuf::Message* message = messages[data[0] % std::size(messages)];
  if (!ttt::ParseTextProto(text, message, "fuzz.textproto").ok()) return 0;
  const std::string written = ttt::ToTextProto(*message);
  std::unique_ptr<google::protobuf::Message> again(message->New());
  TTT_FUZZ_CHECK(ttt::ParseTextProto(written, again.get()).ok());
  TTT_FUZZ_CHECK(ttt::ToTextProto(*again) == written);
  if (message == &spec) (void)ttt::ValidateModel(spec);
  if (message == &device) (void)ttt::ValidateDeviceProfile(device);
  return 0;
}
