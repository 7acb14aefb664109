#include "core/specs/text_format.h"

#include "absl/strings/str_cat.h"
#include "google/protobuf/io/tokenizer.h"
#include "google/protobuf/text_format.h"
#include "core/runtime/mapped_file.h"
#include "core/runtime/status.h"

namespace ttt {
namespace {

// Collects the parser's messages so that they reach the caller in the Status, not on stderr.
class CollectingErrors : public google::protobuf::io::ErrorCollector {
 public:
  void AddError(int line, google::protobuf::io::ColumnNumber column, const std::string& message) override {
    if (!text.empty()) text += "; ";
    absl::StrAppend(&text, "line ", line + 1, " column ", column + 1, ": ", message);
  }
  std::string text;
};

}  // namespace

absl::Status ParseTextProto(absl::string_view text, google::protobuf::Message* message, absl::string_view source) {
  google::protobuf::TextFormat::Parser parser;
  CollectingErrors errors;
  parser.RecordErrorsTo(&errors);
  google::protobuf::io::ArrayInputStream input(text.data(), static_cast<int>(text.size()));
  if (!parser.Parse(&input, message)) {
    return absl::InvalidArgumentError(absl::StrCat(
        source, ": not a valid text-format ", message->GetDescriptor()->full_name(), ": ", errors.text,
        ". Field names are those of the .proto (see core/specs/proto/)."));
  }
  return absl::OkStatus();
}

absl::Status ReadTextProto(const std::string& path, google::protobuf::Message* message) {
  TTT_ASSIGN_OR_RETURN(std::string text, ReadFileToString(path));
  return ParseTextProto(text, message, path);
}

std::string ToTextProto(const google::protobuf::Message& message) {
  std::string out;
  google::protobuf::TextFormat::PrintToString(message, &out);
  return out;
}

absl::Status WriteTextProto(const std::string& path, const google::protobuf::Message& message) {
  return WriteFileAtomically(path, ToTextProto(message));
}

}  // namespace ttt
