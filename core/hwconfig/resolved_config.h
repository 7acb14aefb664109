// A module's hardware config as it is resolved step by step, remembering where every value came from.
//
// Each step (module default, module rule, model file, layer override, --weights, ApplyHwConfig) overlays
// the fields it sets (a *_UNSPECIFIED enum, an absent optional or an empty string means "not set here") and
// records its name as the source of each of them. `ttt config` prints the result; tests check it.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "core/hwconfig/proto/op_config.pb.h"
#include "core/runtime/phase.h"

namespace ttt {

class ResolvedModuleConfig {
 public:
  ResolvedModuleConfig() = default;
  explicit ResolvedModuleConfig(std::string kind) : kind_(std::move(kind)) {}

  // Overlays every field `change` sets; each one's source becomes `source`.
  void Apply(const hw::ModuleHwConfig& change, const std::string& source);
  // Overlays one execution mode's op config (a shorthand for rules).
  void ApplyOp(Phase mode, const std::string& op, const hw::OpConfig& change, const std::string& source);

  const std::string& kind() const { return kind_; }
  const hw::ModuleHwConfig& config() const { return config_; }
  const hw::ModuleConfig& mode(Phase mode) const {
    return mode == Phase::kPrefill ? config_.prefill() : config_.decode();
  }
  // The op's resolved config (an empty one when the op was never configured).
  const hw::OpConfig& op(Phase mode, const std::string& name) const;
  // Field path ("decode.wqkv.weight_dtype", "prefill.kv_cache_dtype") -> source. Only set fields appear.
  const std::map<std::string, std::string>& sources() const { return sources_; }
  // The source of one field path, or "" when unset.
  std::string source(const std::string& path) const;

  // Lines "<path> = <value>  [<source>]", sorted by path.
  std::vector<std::string> Describe() const;

 private:
  std::string kind_;
  hw::ModuleHwConfig config_;
  std::map<std::string, std::string> sources_;
};

// Field path of a field of an op: "<prefill|decode>.<op>.<field>".
std::string OpFieldPath(Phase mode, const std::string& op, const std::string& field);
const char* ConfigModeName(hw::ConfigMode mode);        // "performance", "accuracy"

}  // namespace ttt
