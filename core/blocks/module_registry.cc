#include "core/blocks/module_registry.h"

#include <algorithm>
#include <mutex>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "core/blocks/core_modules.h"
#include "core/runtime/check.h"

namespace ttt {
namespace {
std::mutex& RegistryMutex() {
  static std::mutex m;
  return m;
}
}  // namespace

ModuleRegistry& ModuleRegistry::Global() {
  static ModuleRegistry* registry = [] {
    auto* r = new ModuleRegistry();
    for (ModuleDescriptor& d : CoreModuleDescriptors()) {
      const absl::Status s = r->Register(std::move(d));
      TTT_CHECK(s.ok()) << s;
    }
    return r;
  }();
  return *registry;
}

absl::Status ModuleRegistry::Register(ModuleDescriptor d) {
  if (d.id.empty() || d.kind.empty()) {
    return absl::InvalidArgumentError("a module descriptor needs an id (\"ttt/attention/gqa\") and a kind");
  }
  const std::string where = absl::StrCat("module '", d.id, "'");
  if (!d.ops.empty() && !d.shapes) {
    return absl::InvalidArgumentError(absl::StrCat(where, " has ops but no `shapes`: say each op's size"));
  }
  if (d.rules && !d.configurable()) {
    return absl::InvalidArgumentError(absl::StrCat(where, " has rules but no default hardware configs to apply "
                                                          "them to: set defaults_file or defaults_text"));
  }
  if (const ModuleDescriptor* known = FindKind(d.kind)) {
    return absl::AlreadyExistsError(absl::StrCat(where, " (kind '", d.kind, "') is already registered as '",
                                                 known->id, "' (kind '", known->kind, "'): pick another id and kind"));
  }
  std::lock_guard<std::mutex> lock(RegistryMutex());
  descriptors_.push_back(std::make_unique<const ModuleDescriptor>(std::move(d)));
  return absl::OkStatus();
}

absl::Status ModuleRegistry::Unregister(const std::string& kind) {
  std::lock_guard<std::mutex> lock(RegistryMutex());
  auto it = std::find_if(descriptors_.begin(), descriptors_.end(), [&](const auto& d) { return d->kind == kind; });
  if (it == descriptors_.end()) return absl::NotFoundError(absl::StrCat("no module kind '", kind, "' is registered"));
  descriptors_.erase(it);
  return absl::OkStatus();
}

std::vector<const ModuleDescriptor*> ModuleRegistry::WithId(const std::string& id) const {
  std::vector<const ModuleDescriptor*> out;
  for (const ModuleDescriptor* d : All()) {
    if (d->id == id) out.push_back(d);
  }
  return out;
}

const ModuleDescriptor* ModuleRegistry::FindKind(const std::string& kind) const {
  {
    std::lock_guard<std::mutex> lock(RegistryMutex());
    for (const auto& d : descriptors_) {
      if (d->kind == kind) return d.get();
    }
  }
  return fallback_ != nullptr ? fallback_->FindKind(kind) : nullptr;
}

absl::StatusOr<const ModuleDescriptor*> ModuleRegistry::GetKind(const std::string& kind) const {
  if (const ModuleDescriptor* d = FindKind(kind)) return d;
  std::vector<std::string> kinds;
  for (const ModuleDescriptor* d : All()) kinds.push_back(d->kind);
  std::sort(kinds.begin(), kinds.end());
  return absl::NotFoundError(absl::StrCat("no module kind '", kind, "': known kinds are ", absl::StrJoin(kinds, ", ")));
}

std::vector<const ModuleDescriptor*> ModuleRegistry::All() const {
  std::vector<const ModuleDescriptor*> out;
  if (fallback_ != nullptr) out = fallback_->All();
  std::lock_guard<std::mutex> lock(RegistryMutex());
  for (const auto& d : descriptors_) out.push_back(d.get());
  std::sort(out.begin(), out.end(), [](auto* a, auto* b) { return std::tie(a->id, a->kind) < std::tie(b->id, b->kind); });
  return out;
}

std::vector<std::string> ModuleRegistry::ConfigurableKinds() const {
  std::vector<std::string> kinds;
  for (const ModuleDescriptor* d : All()) {
    if (d->configurable()) kinds.push_back(d->kind);
  }
  std::sort(kinds.begin(), kinds.end());
  return kinds;
}

const ModuleDescriptor& CoreKind(const std::string& kind) {
  const ModuleDescriptor* d = ModuleRegistry::Global().FindKind(kind);
  TTT_CHECK(d != nullptr) << "core module kind " << kind << " is not registered";
  return *d;
}

}  // namespace ttt
