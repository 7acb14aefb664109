// The table of module kinds the engine walks. The library's own blocks are registered when the table is
// first used (core/blocks/core_modules.cc); contrib and experimental tiers and users add theirs with
// Register. A descriptor is found by kind ("attention"); a module (a manifest id, "ttt/attention/gqa") may
// provide several kinds (the embedding module: token and position embeddings).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "core/blocks/module_descriptor.h"

namespace ttt {

class ModuleRegistry {
 public:
  // The process-wide table, holding the core blocks' descriptors.
  static ModuleRegistry& Global();

  // A table of one's own over `fallback` (usually Global()): kinds found here first, then there. A model
  // composed from a user's own module kinds carries one (ModelBuilder::kinds(), BuildOptions::kinds), so
  // its kinds work without entering the process-wide table. `fallback` must outlive this table.
  explicit ModuleRegistry(const ModuleRegistry* fallback = nullptr) : fallback_(fallback) {}

  // Adds `descriptor`. AlreadyExists when its kind is taken here or in the fallback (the table is unchanged); InvalidArgument
  // when it is incomplete (no id or kind, ops without shapes, a rule without a config to change).
  absl::Status Register(ModuleDescriptor descriptor);
  // Removes a kind registered by Register (tests that register one of their own undo it).
  absl::Status Unregister(const std::string& kind);

  // Null when unknown.
  const ModuleDescriptor* FindKind(const std::string& kind) const;
  // The kinds module `id` provides (empty when none).
  std::vector<const ModuleDescriptor*> WithId(const std::string& id) const;
  // NotFound naming the known kinds.
  absl::StatusOr<const ModuleDescriptor*> GetKind(const std::string& kind) const;
  // Every descriptor (this table's and the fallback's), by id, then kind.
  std::vector<const ModuleDescriptor*> All() const;
  // The kinds that have default hardware configs, sorted.
  std::vector<std::string> ConfigurableKinds() const;

 private:
  const ModuleRegistry* fallback_ = nullptr;
  std::vector<std::unique_ptr<const ModuleDescriptor>> descriptors_;  // stable addresses
};

// The registered descriptor of a kind the library itself provides (aborts when it is missing: a broken
// build, not bad input).
const ModuleDescriptor& CoreKind(const std::string& kind);

}  // namespace ttt
