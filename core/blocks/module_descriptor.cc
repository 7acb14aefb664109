#include "core/blocks/module_descriptor.h"

#include "core/runtime/check.h"

namespace ttt {

std::vector<OpInfo> ModuleDescriptor::Ops(const google::protobuf::Message& spec) const {
  std::vector<OpInfo> out;
  if (ops.empty()) return out;
  const std::vector<OpShape> sizes = shapes(spec);
  TTT_CHECK(sizes.size() == ops.size());
  for (size_t i = 0; i < ops.size(); ++i) out.push_back(OpInfo{ops[i], sizes[i]});
  return out;
}

std::vector<std::string> ModuleDescriptor::WeightOps() const {
  std::vector<std::string> out;
  for (const OpDecl& op : ops) {
    if (op.weight) out.push_back(op.name);
  }
  return out;
}

const OpDecl* ModuleDescriptor::FindOp(const std::string& name) const {
  for (const OpDecl& op : ops) {
    if (op.name == name) return &op;
  }
  return nullptr;
}

double ModuleDescriptor::Flops(const google::protobuf::Message& spec, const OpInfo& op, int64_t tokens,
                               int64_t context) const {
  if (flops) {
    const double f = flops(spec, op.name, tokens, context);
    if (f >= 0) return f;
  }
  return op.weight ? 2.0 * static_cast<double>(op.out) * op.in * tokens : 0;
}

}  // namespace ttt
