// Typed, defaulted reading of a Hugging Face config.json, shared by the family readers of hf_config.cc and
// hf_moe_config.cc. Not installed (internal/).
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "core/runtime/status.h"
#include "nlohmann/json.hpp"

namespace ttt::formats::internal {

using json = nlohmann::json;

// Typed, defaulted access to one JSON config; every error names the key and the file.
class ConfigReader {
 public:
  ConfigReader(const json& j, const std::string& path) : j_(j), path_(path) {}

  bool Has(const char* key) const { return j_.contains(key) && !j_[key].is_null(); }
  bool IsNull(const char* key) const { return j_.contains(key) && j_[key].is_null(); }

  absl::Status Error(const char* key, std::string_view problem) const {
    return absl::InvalidArgumentError(absl::StrCat("config '", path_, "': key \"", key, "\" ",
                                                   absl::string_view(problem.data(), problem.size())));
  }

  absl::StatusOr<uint32_t> RequiredUint(const char* key, std::string_view model_type) const {
    if (!Has(key)) {
      return Error(key, absl::StrCat("is missing; model_type \"", absl::string_view(model_type.data(), model_type.size()),
                                     "\" needs it. Is the config complete?"));
    }
    return Uint(key, 0);
  }

  absl::StatusOr<uint32_t> Uint(const char* key, uint32_t fallback) const {
    if (!Has(key)) return fallback;
    const json& v = j_[key];
    double d = v.is_number() ? v.get<double>() : -1;
    if (!v.is_number() || d < 0 || d != std::floor(d) || d > std::numeric_limits<uint32_t>::max()) {
      return Error(key, absl::StrCat("is ", v.dump(), "; expected a non-negative integer"));
    }
    return static_cast<uint32_t>(d);
  }

  absl::StatusOr<double> Float(const char* key, double fallback) const {
    if (!Has(key)) return fallback;
    const json& v = j_[key];
    if (!v.is_number() || !std::isfinite(v.get<double>())) {
      return Error(key, absl::StrCat("is ", v.dump(), "; expected a number"));
    }
    return v.get<double>();
  }

  absl::StatusOr<bool> Bool(const char* key, bool fallback) const {
    if (!Has(key)) return fallback;
    if (!j_[key].is_boolean()) return Error(key, absl::StrCat("is ", j_[key].dump(), "; expected true or false"));
    return j_[key].get<bool>();
  }

  absl::StatusOr<std::string> String(const char* key, const std::string& fallback) const {
    if (!Has(key)) return fallback;
    if (!j_[key].is_string()) return Error(key, absl::StrCat("is ", j_[key].dump(), "; expected a string"));
    return j_[key].get<std::string>();
  }

  // A list of finite numbers (LongRoPE's factors); empty when absent or null.
  absl::StatusOr<std::vector<double>> Floats(const char* key) const {
    std::vector<double> out;
    if (!Has(key)) return out;
    const json& v = j_[key];
    if (!v.is_array()) return Error(key, absl::StrCat("is ", v.dump(), "; expected a list of numbers"));
    for (const json& x : v) {
      if (!x.is_number() || !std::isfinite(x.get<double>())) {
        return Error(key, absl::StrCat("holds ", x.dump(), "; expected a number"));
      }
      out.push_back(x.get<double>());
    }
    return out;
  }

  // A token id or a list of them (eos_token_id may be either); empty when absent or null.
  absl::StatusOr<std::vector<int32_t>> TokenIds(const char* key) const {
    std::vector<int32_t> ids;
    if (!Has(key)) return ids;
    const json& v = j_[key];
    auto one = [&](const json& x) -> absl::Status {
      if (!x.is_number_integer() || x.get<int64_t>() < 0 || x.get<int64_t>() > std::numeric_limits<int32_t>::max()) {
        return Error(key, absl::StrCat("holds ", x.dump(), "; expected a non-negative token id"));
      }
      ids.push_back(static_cast<int32_t>(x.get<int64_t>()));
      return absl::OkStatus();
    };
    if (v.is_array()) {
      for (const json& x : v) TTT_RETURN_IF_ERROR(one(x));
    } else {
      TTT_RETURN_IF_ERROR(one(v));
    }
    return ids;
  }

  const json& raw(const char* key) const { return j_[key]; }
  const std::string& path() const { return path_; }

 private:
  const json& j_;
  const std::string& path_;
};


}  // namespace ttt::formats::internal
