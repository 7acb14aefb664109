#include "core/governance/spec_lookup.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "core/specs/proto/encoder.pb.h"
#include "core/specs/proto/model.pb.h"
#include "core/specs/proto/seq2seq.pb.h"

namespace ttt::gov {

const google::protobuf::Descriptor* FindSpecMessage(const std::string& full_name) {
  // A generated message registers itself with the pool only if its object file is linked; naming
  // ModelSpec links model.proto and, through its imports, every block spec; EncoderSpec, which no decoder
  // imports, links encoder.proto; Seq2SeqSpec links seq2seq.proto (and RelativePositionBiasSpec).
  static const google::protobuf::Descriptor* const anchors[] = {ttt::spec::ModelSpec::descriptor(),
                                                                ttt::spec::EncoderSpec::descriptor(),
                                                                ttt::spec::Seq2SeqSpec::descriptor()};
  (void)anchors;
  return google::protobuf::DescriptorPool::generated_pool()->FindMessageTypeByName(full_name);
}

std::vector<std::string> DescribeFields(const google::protobuf::Descriptor& message) {
  std::vector<std::string> lines;
  for (int i = 0; i < message.field_count(); ++i) {
    const google::protobuf::FieldDescriptor& field = *message.field(i);
    std::string type;
    if (field.message_type() != nullptr) {
      type = field.message_type()->full_name();
    } else if (field.enum_type() != nullptr) {
      std::vector<std::string> values;
      for (int v = 0; v < field.enum_type()->value_count(); ++v) values.push_back(field.enum_type()->value(v)->name());
      type = absl::StrCat(field.enum_type()->full_name(), " {", absl::StrJoin(values, ", "), "}");
    } else {
      type = field.type_name();
    }
    lines.push_back(absl::StrCat(field.is_repeated() ? "repeated " : "", field.name(), ": ", type, " = ",
                                 field.number()));
  }
  return lines;
}

}  // namespace ttt::gov
