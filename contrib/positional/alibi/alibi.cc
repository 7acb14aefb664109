#include "contrib/positional/alibi/alibi.h"

#include <cmath>

#include "absl/strings/str_cat.h"
#include "core/blocks/attention/position_bias.h"

namespace ttt::contrib {

std::vector<float> AlibiSlopes(int64_t num_heads, float max_bias) {
  int64_t closest = 1;
  while (closest * 2 <= num_heads) closest *= 2;
  std::vector<float> slopes;
  slopes.reserve(static_cast<size_t>(num_heads));
  const double base = std::pow(2.0, -static_cast<double>(max_bias) / static_cast<double>(closest));
  for (int64_t i = 1; i <= closest && i <= num_heads; ++i) slopes.push_back(static_cast<float>(std::pow(base, i)));
  const double extra_base = std::pow(2.0, -static_cast<double>(max_bias) / 2.0 / static_cast<double>(closest));
  for (int64_t i = 1; static_cast<int64_t>(slopes.size()) < num_heads; i += 2) {
    slopes.push_back(static_cast<float>(std::pow(extra_base, i)));
  }
  return slopes;
}

void AddAlibiBias(float* scores, int64_t num_heads, int64_t keys, int64_t query_pos,
                  const std::vector<float>& slopes) {
  for (int64_t h = 0; h < num_heads; ++h) {
    for (int64_t j = 0; j < keys; ++j) {
      scores[h * keys + j] += slopes[static_cast<size_t>(h)] * static_cast<float>(j - query_pos);
    }
  }
}

absl::Status RegisterAlibi() {
  static const absl::Status registered = RegisterPositionBias(
      "alibi", [](const spec::PositionBiasSpec& spec, int64_t num_heads) -> absl::StatusOr<std::vector<float>> {
        if (num_heads <= 0 || !(spec.max_bias() > 0) || !std::isfinite(spec.max_bias())) {
          return absl::InvalidArgumentError(absl::StrCat("ALiBi needs heads and a positive max_bias; got ", num_heads,
                                                         " heads and max_bias ", spec.max_bias()));
        }
        return AlibiSlopes(num_heads, spec.max_bias());
      });
  return registered;
}

}  // namespace ttt::contrib
