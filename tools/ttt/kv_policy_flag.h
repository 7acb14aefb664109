// --kv-policy of `ttt generate`: what a sequence does when its KV cache is full (core/generation/kv_policy.h).
#pragma once

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "core/generation/kv_policy.h"
#include "tools/ttt/flags.h"

namespace ttt::cli {

inline FlagSet KvPolicyFlags() {
  return {{"--kv-policy", "when the KV cache is full: none (stop), or sinks:N[,window:W] (experimental tier)", "none"}};
}

// "" or "none": null (stop at the context). "sinks:N[,window:W]": attention sinks
// (experimental/kv/attention_sinks), available when the tool is built with -DTTT_ENABLE_EXPERIMENTAL=ON;
// otherwise an error saying so.
absl::StatusOr<std::shared_ptr<const KvPolicy>> ParseKvPolicyFlag(const std::string& text);

}  // namespace ttt::cli
