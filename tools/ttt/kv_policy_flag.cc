#include "tools/ttt/kv_policy_flag.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

// The experimental tier is linked, and its headers included, only when it is built: tools/CMakeLists.txt
// defines TTT_WITH_EXPERIMENTAL_TIER then.
#ifdef TTT_WITH_EXPERIMENTAL_TIER
#include "experimental/kv/attention_sinks/attention_sinks.h"
#endif

namespace ttt::cli {

absl::StatusOr<std::shared_ptr<const KvPolicy>> ParseKvPolicyFlag(const std::string& text) {
  if (text.empty() || text == "none") return nullptr;
  if (!absl::StartsWith(text, "sinks:")) {
    return absl::InvalidArgumentError(
        absl::StrCat("--kv-policy ", text, ": unknown policy; use sinks:N or sinks:N,window:W (attention sinks), "
                     "or none"));
  }
#ifdef TTT_WITH_EXPERIMENTAL_TIER
  auto policy = experimental::AttentionSinksPolicy::Parse(text);
  if (!policy.ok()) return policy.status();
  return std::shared_ptr<const KvPolicy>(*std::move(policy));
#else
  return absl::UnimplementedError(
      absl::StrCat("--kv-policy ", text, ": attention sinks are in the experimental tier, which this ttt was built "
                   "without: configure with -DTTT_ENABLE_EXPERIMENTAL=ON and rebuild"));
#endif
}

}  // namespace ttt::cli
