// Finds a module's spec message among the library's compiled protobuf messages, so manifests can name it
// and `ttt-gov modules show` can list its fields.
#pragma once

#include <string>
#include <vector>

#include "google/protobuf/descriptor.h"

namespace ttt::gov {

// The descriptor of `full_name` ("ttt.spec.AttentionSpec") in the generated pool; nullptr when unknown.
const google::protobuf::Descriptor* FindSpecMessage(const std::string& full_name);

// One line per field: "num_kv_heads: int32 = 3", "rope: ttt.spec.RopeSpec = 7", "repeated ...".
std::vector<std::string> DescribeFields(const google::protobuf::Descriptor& message);

}  // namespace ttt::gov
