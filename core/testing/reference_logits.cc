#include "core/testing/reference_logits.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "core/runtime/mapped_file.h"
#include "core/runtime/status.h"
#include "nlohmann/json.hpp"

namespace ttt::testing {

absl::StatusOr<std::vector<ReferenceCase>> LoadReferenceCases(const std::string& dir) {
  const std::string index = dir + "/reference.json";
  TTT_ASSIGN_OR_RETURN(std::string text, ReadFileToString(index));
  std::vector<ReferenceCase> cases;
  try {
    auto json = nlohmann::json::parse(text);
    for (const auto& c : json.at("cases")) {
      ReferenceCase rc;
      rc.tokens = c.at("tokens").get<std::vector<int32_t>>();
      rc.vocab = c.at("shape").at(1).get<int64_t>();
      const std::string file = dir + "/" + c.at("logits_file").get<std::string>();
      TTT_ASSIGN_OR_RETURN(std::string raw, ReadFileToString(file));
      if (raw.size() != rc.tokens.size() * rc.vocab * sizeof(float)) {
        return absl::DataLossError(absl::StrCat(file, " has ", raw.size(), " bytes; ", index, " promises ",
                                                rc.tokens.size(), " x ", rc.vocab, " float32 logits"));
      }
      rc.logits.resize(raw.size() / sizeof(float));
      std::memcpy(rc.logits.data(), raw.data(), raw.size());
      cases.push_back(std::move(rc));
    }
  } catch (const nlohmann::json::exception& e) {
    return absl::InvalidArgumentError(absl::StrCat(index, ": not a reference index: ", e.what()));
  }
  return cases;
}

LogitsAgreement CompareLogits(absl::Span<const float> actual, absl::Span<const float> expected, int64_t vocab) {
  LogitsAgreement a;
  const size_t n = std::min(actual.size(), expected.size());
  double mean_a = 0, mean_e = 0;
  for (size_t i = 0; i < n; ++i) mean_a += actual[i], mean_e += expected[i];
  mean_a /= n;
  mean_e /= n;
  double cov = 0, var_a = 0, var_e = 0;
  for (size_t i = 0; i < n; ++i) {
    const double da = actual[i] - mean_a, de = expected[i] - mean_e;
    cov += da * de;
    var_a += da * da;
    var_e += de * de;
    const double error = std::fabs(static_cast<double>(actual[i]) - expected[i]);
    if (error > a.max_abs_error) {
      a.max_abs_error = error;
      a.worst_position = static_cast<int64_t>(i) / vocab;
    }
    a.max_abs_reference = std::max(a.max_abs_reference, std::fabs(static_cast<double>(expected[i])));
  }
  a.pcc = var_a > 0 && var_e > 0 ? cov / std::sqrt(var_a * var_e) : (var_a == var_e ? 1.0 : 0.0);
  const int64_t positions = static_cast<int64_t>(n) / vocab;
  int64_t agree = 0;
  for (int64_t t = 0; t < positions; ++t) {
    const float* x = actual.data() + t * vocab;
    const float* y = expected.data() + t * vocab;
    if (std::max_element(x, x + vocab) - x == std::max_element(y, y + vocab) - y) {
      ++agree;
    } else if (a.first_argmax_mismatch < 0) {
      a.first_argmax_mismatch = t;
    }
  }
  a.top1 = positions > 0 ? static_cast<double>(agree) / positions : 1.0;
  return a;
}

absl::StatusOr<std::vector<float>> PrefillLogits(const CausalLm& model, const std::vector<int32_t>& tokens) {
  TTT_ASSIGN_OR_RETURN(auto state, model.NewState(1, static_cast<int64_t>(tokens.size())));
  std::vector<float> logits(tokens.size() * model.vocab_size());
  TTT_RETURN_IF_ERROR(model.Prefill(*state, 0, tokens, logits.data(), /*all_logits=*/true));
  return logits;
}

}  // namespace ttt::testing
