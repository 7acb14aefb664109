// Specs, configs and manifests are read and written as text-format Protobuf, the format people edit.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "google/protobuf/message.h"

namespace ttt {

// Parses text-format `text` into `message`; errors carry the line and column and `source` (a file name).
absl::Status ParseTextProto(absl::string_view text, google::protobuf::Message* message,
                            absl::string_view source = "<text>");
absl::Status ReadTextProto(const std::string& path, google::protobuf::Message* message);
std::string ToTextProto(const google::protobuf::Message& message);
// Writes atomically (temporary file, then rename).
absl::Status WriteTextProto(const std::string& path, const google::protobuf::Message& message);

}  // namespace ttt
