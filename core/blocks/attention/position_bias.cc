#include "core/blocks/attention/position_bias.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <mutex>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace ttt {
namespace {

struct Registry {
  std::mutex mutex;
  std::map<std::string, PositionBiasSlopesFn> kinds;
};

Registry& Global() {
  static Registry* registry = new Registry();  // never destroyed: used until exit
  return *registry;
}

}  // namespace

absl::Status RegisterPositionBias(const std::string& kind, PositionBiasSlopesFn slopes) {
  if (kind.empty() || !slopes) {
    return absl::InvalidArgumentError("RegisterPositionBias: give a non-empty kind and a slopes function");
  }
  Registry& r = Global();
  std::lock_guard<std::mutex> lock(r.mutex);
  if (!r.kinds.emplace(kind, std::move(slopes)).second) {
    return absl::AlreadyExistsError(absl::StrCat("position bias kind '", kind, "' is already registered"));
  }
  return absl::OkStatus();
}

std::vector<std::string> RegisteredPositionBiases() {
  Registry& r = Global();
  std::lock_guard<std::mutex> lock(r.mutex);
  std::vector<std::string> kinds;
  for (const auto& [kind, fn] : r.kinds) kinds.push_back(kind);
  return kinds;
}

absl::StatusOr<std::vector<float>> PositionBiasSlopes(const spec::PositionBiasSpec& spec, int64_t num_heads) {
  PositionBiasSlopesFn fn;
  {
    Registry& r = Global();
    std::lock_guard<std::mutex> lock(r.mutex);
    auto it = r.kinds.find(spec.kind());
    if (it != r.kinds.end()) fn = it->second;
  }
  if (!fn) {
    const std::vector<std::string> known = RegisteredPositionBiases();
    return absl::NotFoundError(absl::StrCat(
        "attention position bias kind '", spec.kind(), "' is not registered (registered: ",
        known.empty() ? "none" : absl::StrJoin(known, ", "),
        "). Kinds outside core are registered by their tier's library: for 'alibi' link ttt::contrib and call "
        "ttt::contrib::RegisterAlibi() (contrib/positional/alibi/alibi.h) before building the model"));
  }
  absl::StatusOr<std::vector<float>> slopes = fn(spec, num_heads);
  if (!slopes.ok()) {
    return absl::Status(slopes.status().code(),
                        absl::StrCat("position bias '", spec.kind(), "': ", slopes.status().message()));
  }
  const bool finite = std::all_of(slopes->begin(), slopes->end(), [](float s) { return std::isfinite(s); });
  if (static_cast<int64_t>(slopes->size()) != num_heads || !finite) {
    return absl::InternalError(absl::StrCat("position bias '", spec.kind(), "' gave ", slopes->size(),
                                            finite ? "" : " (not all finite)", " slopes for ", num_heads,
                                            " heads; its registered function is wrong"));
  }
  return slopes;
}

}  // namespace ttt
