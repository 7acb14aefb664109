#include "core/generation/chat/filters_sequence.h"

#include <algorithm>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "core/generation/chat/evaluator.h"
#include "core/generation/chat/filters.h"
#include "core/generation/chat/operators.h"
#include "core/generation/chat/predicates.h"
#include "core/generation/chat/py_string.h"
#include "core/runtime/status.h"

namespace ttt::chat {
namespace {

constexpr absl::string_view kSequenceFilters[] = {"join", "selectattr", "rejectattr", "select", "reject", "map",
                                                 "items", "unique", "sort", "dictsort", "reverse", "sum",
                                                 "min",  "max"};

// Jinja's sort/unique/min/max compare strings case-insensitively unless told otherwise.
Value SortKey(const Value& v, bool case_sensitive) {
  if (!case_sensitive && v.is_string()) return Value::String(PyLower(v.str()));
  return v;
}

absl::StatusOr<Value> KeyOf(const Value& item, const Value& attribute, bool case_sensitive) {
  Value key = item;
  if (attribute.is_string()) {
    TTT_ASSIGN_OR_RETURN(key, GetDottedAttribute(item, attribute.str()));
  } else if (attribute.is_integral()) {
    TTT_ASSIGN_OR_RETURN(key, GetItem(item, attribute));
  }
  return SortKey(key, case_sensitive);
}

// A stable sort that stops at the first pair that cannot be ordered and reports it.
absl::Status SortBy(std::vector<std::pair<Value, Value>>& keyed, bool reverse) {
  absl::Status status;
  std::stable_sort(keyed.begin(), keyed.end(), [&](const auto& a, const auto& b) {
    if (!status.ok()) return false;
    absl::StatusOr<int> c = Compare(a.first, b.first);
    if (!c.ok()) {
      status = c.status();
      return false;
    }
    return reverse ? *c > 0 : *c < 0;
  });
  return status;
}

// select/reject/selectattr/rejectattr: keep the items whose (attribute) passes the test (truthiness when no
// test is named).
absl::StatusOr<Value> Select(Evaluator& ev, const Value& input, ArgReader& args, bool by_attribute, bool keep) {
  // Jinja skips a falsy input (none, undefined) without iterating it: `tools | selectattr(...)` with tools
  // none is empty, not an error. Templates rely on it.
  if (!Truthy(input)) {
    args.Rest(0);
    args.TakeNamed();
    return Value::NewList();
  }
  TTT_ASSIGN_OR_RETURN(std::vector<Value> items, Iterate(input));
  size_t next = 0;
  Value attribute;
  if (by_attribute) attribute = args.Get(next++, "attribute");
  const Value test = args.Get(next++, "test");
  CallArgs test_args{args.Rest(next), {}};
  if (!test.is_undefined() && !(test.is_string() && IsKnownTest(test.str()))) {
    return absl::UnimplementedError(absl::StrCat("unsupported test '", ToStr(test), "'"));
  }
  std::vector<Value> out;
  for (const Value& item : items) {
    Value subject = item;
    if (by_attribute) {
      TTT_ASSIGN_OR_RETURN(subject, GetDottedAttribute(item, ToStr(attribute)));
    }
    bool pass = false;
    if (test.is_undefined()) {
      pass = Truthy(subject);
    } else {
      CallArgs per_item = test_args;
      TTT_ASSIGN_OR_RETURN(pass, ApplyTest(ev, test.str(), subject, per_item));
    }
    if (pass == keep) out.push_back(item);
  }
  return Value::NewList(std::move(out));
}

// map(attribute='x', default=d) picks an attribute of every item; map('filter', args...) applies a filter.
absl::StatusOr<Value> Map(Evaluator& ev, const Value& input, ArgReader& args) {
  if (!Truthy(input)) {  // as select: a falsy input maps to nothing
    args.Rest(0);
    args.TakeNamed();
    return Value::NewList();
  }
  TTT_ASSIGN_OR_RETURN(std::vector<Value> items, Iterate(input));
  std::vector<Value> out;
  constexpr size_t kKeywordOnly = 1000;  // attribute= and default= are never positional
  if (!args.Has(0, "") && args.Has(kKeywordOnly, "attribute")) {
    const Value attribute = args.Get(kKeywordOnly, "attribute");
    const bool has_default = args.Has(kKeywordOnly, "default");
    const Value fallback = args.Get(kKeywordOnly, "default");
    for (const Value& item : items) {
      TTT_ASSIGN_OR_RETURN(Value v, GetDottedAttribute(item, ToStr(attribute)));
      out.push_back(v.is_undefined() && has_default ? fallback : v);
    }
    return Value::NewList(std::move(out));
  }
  const Value filter = args.Get(0, "");
  if (!filter.is_string() || !IsKnownFilter(filter.str())) {
    return absl::UnimplementedError(absl::StrCat("map: unsupported filter '", ToStr(filter), "'"));
  }
  const CallArgs filter_args{args.Rest(1), args.TakeNamed()};
  for (const Value& item : items) {
    CallArgs per_item = filter_args;
    TTT_ASSIGN_OR_RETURN(Value mapped, ApplyFilter(ev, filter.str(), item, per_item));
    out.push_back(std::move(mapped));
  }
  return Value::NewList(std::move(out));
}

absl::StatusOr<Value> MinMax(const Value& input, ArgReader& args, bool want_max) {
  TTT_ASSIGN_OR_RETURN(std::vector<Value> items, Iterate(input));
  const bool case_sensitive = Truthy(args.Get(0, "case_sensitive", Value::Bool(false)));
  const Value attribute = args.Get(1, "attribute");
  if (items.empty()) return Value::Undefined("No aggregated item, sequence was empty.");
  size_t best = 0;
  TTT_ASSIGN_OR_RETURN(Value best_key, KeyOf(items[0], attribute, case_sensitive));
  for (size_t i = 1; i < items.size(); ++i) {
    TTT_ASSIGN_OR_RETURN(Value key, KeyOf(items[i], attribute, case_sensitive));
    TTT_ASSIGN_OR_RETURN(int c, Compare(key, best_key));
    if (want_max ? c > 0 : c < 0) {
      best = i;
      best_key = key;
    }
  }
  return items[best];
}

}  // namespace

bool IsSequenceFilter(absl::string_view name) {
  return std::find(std::begin(kSequenceFilters), std::end(kSequenceFilters), name) != std::end(kSequenceFilters);
}

absl::StatusOr<Value> ApplySequenceFilter(Evaluator& ev, absl::string_view name, const Value& input, ArgReader& args) {
  if (name == "join") {
    const Value separator = args.Get(0, "d", Value::String(""));
    const Value attribute = args.Get(1, "attribute");
    TTT_ASSIGN_OR_RETURN(std::vector<Value> items, Iterate(input));
    std::string out;
    const std::string sep = ToStr(separator);
    for (size_t i = 0; i < items.size(); ++i) {
      if (i) out += sep;
      if (attribute.is_undefined()) {
        out += ToStr(items[i]);
      } else {
        TTT_ASSIGN_OR_RETURN(Value v, GetDottedAttribute(items[i], ToStr(attribute)));
        out += ToStr(v);
      }
      TTT_RETURN_IF_ERROR(ev.CheckStringSize(out.size()));
    }
    return Value::String(std::move(out));
  }
  if (name == "selectattr" || name == "rejectattr") return Select(ev, input, args, true, name == "selectattr");
  if (name == "select" || name == "reject") return Select(ev, input, args, false, name == "select");
  if (name == "map") return Map(ev, input, args);
  if (name == "items") {
    if (input.is_undefined()) return Value::NewList();
    if (!input.is_dict()) {
      return absl::InvalidArgumentError(absl::StrCat("items: can only get item pairs from a mapping, not '",
                                                     TypeName(input), "'"));
    }
    std::vector<Value> pairs;
    for (const auto& [k, v] : input.dict().entries()) pairs.push_back(Value::NewTuple({Value::String(k), v}));
    return Value::NewList(std::move(pairs));
  }
  if (name == "unique") {
    const bool case_sensitive = Truthy(args.Get(0, "case_sensitive", Value::Bool(false)));
    const Value attribute = args.Get(1, "attribute");
    TTT_ASSIGN_OR_RETURN(std::vector<Value> items, Iterate(input));
    std::vector<Value> out, seen;
    for (const Value& item : items) {
      TTT_ASSIGN_OR_RETURN(Value key, KeyOf(item, attribute, case_sensitive));
      if (std::none_of(seen.begin(), seen.end(), [&](const Value& s) { return Equals(s, key); })) {
        seen.push_back(key);
        out.push_back(item);
      }
    }
    return Value::NewList(std::move(out));
  }
  if (name == "sort") {
    const bool reverse = Truthy(args.Get(0, "reverse", Value::Bool(false)));
    const bool case_sensitive = Truthy(args.Get(1, "case_sensitive", Value::Bool(false)));
    const Value attribute = args.Get(2, "attribute");
    TTT_ASSIGN_OR_RETURN(std::vector<Value> items, Iterate(input));
    std::vector<std::pair<Value, Value>> keyed;
    for (const Value& item : items) {
      TTT_ASSIGN_OR_RETURN(Value key, KeyOf(item, attribute, case_sensitive));
      keyed.emplace_back(std::move(key), item);
    }
    TTT_RETURN_IF_ERROR(SortBy(keyed, reverse));
    std::vector<Value> out;
    for (auto& [key, item] : keyed) out.push_back(std::move(item));
    return Value::NewList(std::move(out));
  }
  if (name == "dictsort") {
    const bool case_sensitive = Truthy(args.Get(0, "case_sensitive", Value::Bool(false)));
    const Value by = args.Get(1, "by", Value::String("key"));
    const bool reverse = Truthy(args.Get(2, "reverse", Value::Bool(false)));
    if (!input.is_dict()) {
      return absl::InvalidArgumentError(absl::StrCat("dictsort: expected a dict, not '", TypeName(input), "'"));
    }
    if (by.str() != "key" && by.str() != "value") {
      return absl::InvalidArgumentError("dictsort: 'by' must be 'key' or 'value'");
    }
    std::vector<std::pair<Value, Value>> keyed;
    for (const auto& [k, v] : input.dict().entries()) {
      keyed.emplace_back(SortKey(by.str() == "key" ? Value::String(k) : v, case_sensitive),
                         Value::NewTuple({Value::String(k), v}));
    }
    TTT_RETURN_IF_ERROR(SortBy(keyed, reverse));
    std::vector<Value> out;
    for (auto& [key, item] : keyed) out.push_back(std::move(item));
    return Value::NewList(std::move(out));
  }
  if (name == "reverse") {
    if (input.is_string()) return Value::String(SliceString(input.str(), std::nullopt, std::nullopt, -1));
    TTT_ASSIGN_OR_RETURN(std::vector<Value> items, Iterate(input));
    std::reverse(items.begin(), items.end());
    return Value::NewList(std::move(items));
  }
  if (name == "sum") {
    const Value attribute = args.Get(0, "attribute");
    Value total = args.Get(1, "start", Value::Int(0));
    TTT_ASSIGN_OR_RETURN(std::vector<Value> items, Iterate(input));
    for (const Value& item : items) {
      Value v = item;
      if (!attribute.is_undefined()) {
        TTT_ASSIGN_OR_RETURN(v, GetDottedAttribute(item, ToStr(attribute)));
      }
      TTT_ASSIGN_OR_RETURN(total, BinaryOp(ev, "+", total, v));
    }
    return total;
  }
  if (name == "min" || name == "max") return MinMax(input, args, name == "max");
  return absl::UnimplementedError(absl::StrCat("unsupported filter '", name, "'"));
}

}  // namespace ttt::chat
