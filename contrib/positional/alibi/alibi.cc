#include "contrib/positional/alibi/alibi.h"

#include <cmath>

namespace ttt::contrib {

std::vector<float> AlibiSlopes(int64_t num_heads) {
  int64_t closest = 1;
  while (closest * 2 <= num_heads) closest *= 2;
  std::vector<float> slopes;
  slopes.reserve(static_cast<size_t>(num_heads));
  double base = std::pow(2.0, -8.0 / static_cast<double>(closest));
  for (int64_t i = 1; i <= closest; ++i) slopes.push_back(static_cast<float>(std::pow(base, i)));
  double extra_base = std::pow(2.0, -4.0 / static_cast<double>(closest));
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

}  // namespace ttt::contrib
