#include "core/hwconfig/resolved_config.h"

#include "absl/strings/str_cat.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"

namespace ttt {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

// Whether `field` of `m` is set in the "inherit unless set" sense of op_config.proto.
bool IsSet(const Message& m, const FieldDescriptor* field) {
  const Reflection* r = m.GetReflection();
  if (field->has_presence()) return r->HasField(m, field);
  switch (field->cpp_type()) {
    case FieldDescriptor::CPPTYPE_ENUM: return r->GetEnumValue(m, field) != 0;
    case FieldDescriptor::CPPTYPE_STRING: return !r->GetString(m, field).empty();
    case FieldDescriptor::CPPTYPE_BOOL: return r->GetBool(m, field);
    case FieldDescriptor::CPPTYPE_UINT32: return r->GetUInt32(m, field) != 0;
    default: return false;
  }
}

std::string ValueText(const Message& m, const FieldDescriptor* field) {
  const Reflection* r = m.GetReflection();
  switch (field->cpp_type()) {
    case FieldDescriptor::CPPTYPE_ENUM: return r->GetEnum(m, field)->name();
    case FieldDescriptor::CPPTYPE_STRING: return absl::StrCat("\"", r->GetString(m, field), "\"");
    case FieldDescriptor::CPPTYPE_BOOL: return r->GetBool(m, field) ? "true" : "false";
    case FieldDescriptor::CPPTYPE_UINT32: return absl::StrCat(r->GetUInt32(m, field));
    default: return "?";
  }
}

// Copies the set scalar fields of `from` into `to`; calls `record(field name)` for each.
template <typename Record>
void OverlayScalars(const Message& from, Message* to, Record&& record) {
  const auto* desc = from.GetDescriptor();
  for (int i = 0; i < desc->field_count(); ++i) {
    const FieldDescriptor* f = desc->field(i);
    if (f->is_repeated() || f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE || !IsSet(from, f)) continue;
    const Reflection* r = from.GetReflection();
    const Reflection* w = to->GetReflection();
    switch (f->cpp_type()) {
      case FieldDescriptor::CPPTYPE_ENUM: w->SetEnumValue(to, f, r->GetEnumValue(from, f)); break;
      case FieldDescriptor::CPPTYPE_STRING: w->SetString(to, f, r->GetString(from, f)); break;
      case FieldDescriptor::CPPTYPE_BOOL: w->SetBool(to, f, r->GetBool(from, f)); break;
      case FieldDescriptor::CPPTYPE_UINT32: w->SetUInt32(to, f, r->GetUInt32(from, f)); break;
      default: continue;
    }
    record(f->name());
  }
}

const hw::OpConfig& EmptyOp() {
  static const hw::OpConfig* empty = new hw::OpConfig();
  return *empty;
}

}  // namespace

const char* ConfigModeName(hw::ConfigMode mode) { return mode == hw::PERFORMANCE ? "performance" : "accuracy"; }

std::string OpFieldPath(Phase mode, const std::string& op, const std::string& field) {
  return absl::StrCat(PhaseName(mode), ".", op, ".", field);
}

void ResolvedModuleConfig::ApplyOp(Phase mode, const std::string& op, const hw::OpConfig& change,
                                   const std::string& source) {
  hw::ModuleConfig* target = mode == Phase::kPrefill ? config_.mutable_prefill() : config_.mutable_decode();
  hw::OpConfig& dst = (*target->mutable_ops())[op];
  OverlayScalars(change, &dst, [&](const std::string& field) { sources_[OpFieldPath(mode, op, field)] = source; });
}

void ResolvedModuleConfig::Apply(const hw::ModuleHwConfig& change, const std::string& source) {
  for (Phase mode : {Phase::kPrefill, Phase::kDecode}) {
    const hw::ModuleConfig& from = mode == Phase::kPrefill ? change.prefill() : change.decode();
    hw::ModuleConfig* to = mode == Phase::kPrefill ? config_.mutable_prefill() : config_.mutable_decode();
    for (const auto& [name, op] : from.ops()) ApplyOp(mode, name, op, source);
    OverlayScalars(from, to, [&](const std::string& field) {
      sources_[absl::StrCat(PhaseName(mode), ".", field)] = source;
    });
  }
}

const hw::OpConfig& ResolvedModuleConfig::op(Phase mode, const std::string& name) const {
  const auto& ops = this->mode(mode).ops();
  auto it = ops.find(name);
  return it == ops.end() ? EmptyOp() : it->second;
}

std::string ResolvedModuleConfig::source(const std::string& path) const {
  auto it = sources_.find(path);
  return it == sources_.end() ? "" : it->second;
}

std::vector<std::string> ResolvedModuleConfig::Describe() const {
  std::vector<std::string> lines;
  for (Phase mode : {Phase::kPrefill, Phase::kDecode}) {
    const hw::ModuleConfig& mc = this->mode(mode);
    std::map<std::string, hw::OpConfig> ops(mc.ops().begin(), mc.ops().end());  // sorted
    for (const auto& [name, op] : ops) {
      const auto* desc = op.GetDescriptor();
      for (int i = 0; i < desc->field_count(); ++i) {
        const FieldDescriptor* f = desc->field(i);
        if (!IsSet(op, f)) continue;
        const std::string path = OpFieldPath(mode, name, f->name());
        lines.push_back(absl::StrCat(path, " = ", ValueText(op, f), "  [", source(path), "]"));
      }
    }
    const auto* desc = mc.GetDescriptor();
    for (int i = 0; i < desc->field_count(); ++i) {
      const FieldDescriptor* f = desc->field(i);
      if (f->is_map() || !IsSet(mc, f)) continue;
      const std::string path = absl::StrCat(PhaseName(mode), ".", f->name());
      lines.push_back(absl::StrCat(path, " = ", ValueText(mc, f), "  [", source(path), "]"));
    }
  }
  return lines;
}

}  // namespace ttt
