// The review rule of each tier (governance/policy.textproto, TierPolicy.review), enforced on what a change
// touches: the files changed since a revision, the modules whose directories hold them, and the
// "Approved-by:" trailers of the commits after it. `ttt-gov check --since REV` runs it, e.g. in a merge
// request's CI with REV the target branch.
#pragma once

#include <string>
#include <vector>

#include "core/governance/problem.h"
#include "core/governance/repository.h"

namespace ttt::gov {

struct Approval {
  std::string who;     // the trailer's value, "Name <email>"
  std::string commit;  // the commit that carries it
};

// One problem per changed module whose tier's rule the approvals do not meet, on its manifest, naming the
// approvals found and who may give the missing ones. A revision git does not know is one problem.
void CheckReviews(const Repository& repo, const std::string& since, Problems* problems);

// Whether `approver` ("Name <email>", or a bare name or address) is one of `owners` or, through a team of
// the policy, a member of one.
bool ApproverOwns(const Policy& policy, const std::string& approver, const std::vector<std::string>& owners);

}  // namespace ttt::gov
