#include "core/generation/chat/builtins.h"

#include <ctime>
#include <memory>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "core/generation/chat/call_args.h"
#include "core/generation/chat/evaluator.h"
#include "core/runtime/status.h"

namespace ttt::chat {
namespace {

absl::StatusOr<Value> Range(Evaluator& ev, CallArgs& call) {
  if (!call.named.empty()) return absl::InvalidArgumentError("range() takes no keyword arguments");
  std::vector<int64_t> bounds;
  for (const Value& v : call.positional) {
    if (!v.is_integral()) {
      return absl::InvalidArgumentError(
          absl::StrCat("range() needs integers, not '", TypeName(v), "'"));
    }
    bounds.push_back(v.int_value());
  }
  int64_t start = 0, stop = 0, step = 1;
  if (bounds.size() == 1) {
    stop = bounds[0];
  } else if (bounds.size() == 2 || bounds.size() == 3) {
    start = bounds[0];
    stop = bounds[1];
    if (bounds.size() == 3) step = bounds[2];
  } else {
    return absl::InvalidArgumentError(absl::StrCat("range() takes 1 to 3 arguments, not ", bounds.size()));
  }
  if (step == 0) return absl::InvalidArgumentError("range() step must not be zero");
  // Count first, so that a huge range is refused rather than built. The distance between two int64 values
  // always fits in uint64.
  const bool up = step > 0;
  const uint64_t span = up ? (stop > start ? static_cast<uint64_t>(stop) - static_cast<uint64_t>(start) : 0)
                           : (start > stop ? static_cast<uint64_t>(start) - static_cast<uint64_t>(stop) : 0);
  const uint64_t magnitude = up ? static_cast<uint64_t>(step) : 0 - static_cast<uint64_t>(step);
  const uint64_t count = span / magnitude + (span % magnitude != 0 ? 1 : 0);
  if (count > ev.limits().max_list_items) return ev.CheckListSize(ev.limits().max_list_items + 1);
  std::vector<Value> items;
  items.reserve(static_cast<size_t>(count));
  for (uint64_t i = 0; i < count; ++i) {
    // In unsigned arithmetic, which wraps, so that i * step may pass int64's range on the way.
    items.push_back(Value::Int(static_cast<int64_t>(static_cast<uint64_t>(start) + i * static_cast<uint64_t>(step))));
  }
  return Value::NewList(std::move(items));
}

absl::StatusOr<Value> FillDict(Value dict, CallArgs& call, absl::string_view function) {
  if (call.positional.size() > 1) {
    return absl::InvalidArgumentError(absl::StrCat(function, "() takes at most one positional argument"));
  }
  if (!call.positional.empty()) {
    const Value& from = call.positional[0];
    if (from.is_dict()) {
      for (const auto& [k, v] : from.dict().entries()) dict.dict().Set(k, v);
    } else if (from.is_list()) {
      for (const Value& pair : from.list().items) {
        if (!pair.is_list() || pair.list().items.size() != 2 || !pair.list().items[0].is_string()) {
          return absl::InvalidArgumentError(absl::StrCat(function, "(): expected (string key, value) pairs"));
        }
        dict.dict().Set(pair.list().items[0].str(), pair.list().items[1]);
      }
    } else {
      return absl::InvalidArgumentError(
          absl::StrCat(function, "(): cannot build from '", TypeName(from), "'"));
    }
  }
  for (const auto& [k, v] : call.named) dict.dict().Set(k, v);
  return dict;
}

absl::StatusOr<Value> RaiseException(Evaluator&, CallArgs& call) {
  ArgReader args(call, "raise_exception");
  const Value message = args.Get(0, "message", Value::String("raise_exception() called"));
  return absl::InvalidArgumentError(absl::StrCat("the chat template refused the conversation: ", ToStr(message)));
}

absl::StatusOr<Value> StrftimeNow(Evaluator& ev, CallArgs& call) {
  ArgReader args(call, "strftime_now");
  const Value format = args.Get(0, "format");
  TTT_RETURN_IF_ERROR(args.Done());
  if (!format.is_string()) return absl::InvalidArgumentError("strftime_now() needs a format string");
  const std::time_t t = std::chrono::system_clock::to_time_t(ev.now());
  std::tm local{};
  localtime_r(&t, &local);
  char buf[256];
  const size_t n = std::strftime(buf, sizeof(buf), format.str().c_str(), &local);
  if (n == 0 && !format.str().empty()) {
    return absl::InvalidArgumentError("strftime_now(): the formatted date is empty or longer than 255 bytes");
  }
  return Value::String(std::string(buf, n));
}

// joiner(sep): a function returning "" on its first call and `sep` after, for "a, b, c" lists.
absl::StatusOr<Value> Joiner(Evaluator&, CallArgs& call) {
  ArgReader args(call, "joiner");
  const std::string separator = ToStr(args.Get(0, "sep", Value::String(", ")));
  TTT_RETURN_IF_ERROR(args.Done());
  auto used = std::make_shared<bool>(false);
  return Value::Function("joiner", [separator, used](Evaluator&, CallArgs&) -> absl::StatusOr<Value> {
    if (!*used) {
      *used = true;
      return Value::String("");
    }
    return Value::String(separator);
  });
}

}  // namespace

std::optional<Value> Builtin(absl::string_view name) {
  static const auto* builtins = new absl::flat_hash_map<std::string, Value>{
      {"range", Value::Function("range", Range)},
      {"dict", Value::Function("dict", [](Evaluator&, CallArgs& call) { return FillDict(Value::NewDict(), call, "dict"); })},
      {"namespace", Value::Function("namespace", [](Evaluator&, CallArgs& call) {
         return FillDict(Value::NewNamespace(), call, "namespace");
       })},
      {"raise_exception", Value::Function("raise_exception", RaiseException)},
      {"strftime_now", Value::Function("strftime_now", StrftimeNow)},
      {"joiner", Value::Function("joiner", Joiner)},
  };
  auto it = builtins->find(name);
  if (it == builtins->end()) return std::nullopt;
  return it->second;
}

}  // namespace ttt::chat
