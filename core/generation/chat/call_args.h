// Binds the arguments of a builtin call (filter, test, method, global function) Python-style: each
// parameter is taken by position or by keyword, with a default when absent, and anything left over is an
// error naming the function, so a template that passes a wrong argument hears about it.
#pragma once

#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "core/generation/chat/value.h"

namespace ttt::chat {

class ArgReader {
 public:
  ArgReader(CallArgs& args, absl::string_view function)
      : args_(args), function_(function), used_(args.positional.size(), false) {}

  // The parameter at `index` (0-based, not counting a filter's input) or passed as `name`.
  bool Has(size_t index, absl::string_view name) const { return Find(index, name) != nullptr; }
  Value Get(size_t index, absl::string_view name, Value fallback = Value()) {
    const Value* v = Find(index, name);
    if (index < used_.size()) used_[index] = true;
    return v ? *v : fallback;
  }
  // Positional arguments from `index` on (Python *args), e.g. the extra arguments of select('equalto', x).
  std::vector<Value> Rest(size_t index) {
    std::vector<Value> rest;
    for (size_t i = index; i < args_.positional.size(); ++i) {
      rest.push_back(args_.positional[i]);
      used_[i] = true;
    }
    return rest;
  }
  // All keyword arguments, taken as used (map('filter', ..., key=v) passes them on to the filter).
  std::vector<std::pair<std::string, Value>> TakeNamed() {
    for (const auto& entry : args_.named) named_used_.insert(entry.first);
    return args_.named;
  }
  absl::Status Done() const {
    for (size_t i = 0; i < args_.positional.size(); ++i) {
      if (!IsUsed(i)) {
        return absl::InvalidArgumentError(
            absl::StrCat(function_, "() got more positional arguments than it takes (", args_.positional.size(), ")"));
      }
    }
    for (const auto& [name, value] : args_.named) {
      if (!named_used_.count(name)) {
        return absl::InvalidArgumentError(absl::StrCat(function_, "() got an unexpected keyword argument '", name, "'"));
      }
    }
    return absl::OkStatus();
  }

 private:
  const Value* Find(size_t index, absl::string_view name) const {
    if (index < args_.positional.size()) return &args_.positional[index];
    for (const auto& [key, value] : args_.named) {
      if (key == name) {
        named_used_.insert(std::string(name));
        return &value;
      }
    }
    return nullptr;
  }
  bool IsUsed(size_t i) const { return used_[i]; }

  CallArgs& args_;
  std::string function_;
  std::vector<bool> used_;
  mutable absl::flat_hash_set<std::string> named_used_;
};

}  // namespace ttt::chat
