#include "core/generation/chat/predicates.h"

#include <algorithm>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "core/generation/chat/call_args.h"
#include "core/generation/chat/filters.h"
#include "core/generation/chat/operators.h"
#include "core/runtime/status.h"

namespace ttt::chat {
namespace {

constexpr absl::string_view kTests[] = {
    "defined", "undefined", "none",  "string",  "mapping", "iterable", "sequence", "number",   "integer",
    "float",   "boolean",   "true",  "false",   "even",    "odd",      "divisibleby", "equalto", "eq",
    "==",      "ne",        "!=",    "lt",      "<",       "lessthan", "le",       "<=",       "gt",
    ">",       "greaterthan", "ge",  ">=",      "in",      "sameas",   "callable", "lower",    "upper",
    "filter",  "test",      "escaped"};

absl::StatusOr<int64_t> IntOperand(const Value& v, absl::string_view test) {
  if (v.is_undefined()) return UndefinedError(v);
  if (!v.is_integral()) {
    return absl::InvalidArgumentError(absl::StrCat("'", test, "' test needs an integer, not '", TypeName(v), "'"));
  }
  return v.int_value();
}

}  // namespace

bool IsKnownTest(absl::string_view name) {
  return std::find(std::begin(kTests), std::end(kTests), name) != std::end(kTests);
}

absl::StatusOr<bool> ApplyTest(Evaluator& ev, absl::string_view name, const Value& v, CallArgs& call) {
  ArgReader args(call, name);
  bool result = false;
  if (name == "defined") {
    result = !v.is_undefined();
  } else if (name == "undefined") {
    result = v.is_undefined();
  } else if (name == "none") {
    result = v.is_none();
  } else if (name == "string") {
    result = v.is_string();
  } else if (name == "mapping") {
    result = v.is_dict() && !v.dict().is_namespace;
  } else if (name == "iterable") {
    result = v.is_undefined() || v.is_string() || v.is_list() || v.is_dict();
  } else if (name == "sequence") {
    // Jinja asks for len() and indexing, which undefined (length 0) also offers.
    result = v.is_undefined() || v.is_string() || v.is_list() || (v.is_dict() && !v.dict().is_namespace);
  } else if (name == "number") {
    result = v.is_number();
  } else if (name == "integer") {
    result = v.is_int();
  } else if (name == "float") {
    result = v.is_float();
  } else if (name == "boolean") {
    result = v.is_bool();
  } else if (name == "true" || name == "false") {
    result = v.is_bool() && v.bool_value() == (name == "true");
  } else if (name == "even" || name == "odd") {
    TTT_ASSIGN_OR_RETURN(int64_t n, IntOperand(v, name));
    result = ((n % 2) == 0) == (name == "even");
  } else if (name == "divisibleby") {
    TTT_ASSIGN_OR_RETURN(int64_t n, IntOperand(v, name));
    TTT_ASSIGN_OR_RETURN(int64_t d, IntOperand(args.Get(0, "num"), name));
    if (d == 0) return absl::InvalidArgumentError("'divisibleby' test: division by zero");
    result = n % d == 0;
  } else if (name == "equalto" || name == "eq" || name == "==") {
    result = Equals(v, args.Get(0, "other"));
  } else if (name == "ne" || name == "!=") {
    result = !Equals(v, args.Get(0, "other"));
  } else if (name == "lt" || name == "<" || name == "lessthan" || name == "le" || name == "<=" || name == "gt" ||
             name == ">" || name == "greaterthan" || name == "ge" || name == ">=") {
    TTT_ASSIGN_OR_RETURN(int c, Compare(v, args.Get(0, "other")));
    if (name == "lt" || name == "<" || name == "lessthan") result = c < 0;
    else if (name == "le" || name == "<=") result = c <= 0;
    else if (name == "gt" || name == ">" || name == "greaterthan") result = c > 0;
    else result = c >= 0;
  } else if (name == "in") {
    TTT_ASSIGN_OR_RETURN(result, Contains(args.Get(0, "seq"), v));
  } else if (name == "sameas") {
    const Value other = args.Get(0, "other");
    if (v.identity() != nullptr || other.identity() != nullptr) {
      result = v.identity() == other.identity();
    } else {
      // Python's `is` on None, True, False and small values: identical when equal and of the same kind.
      result = v.kind() == other.kind() && Equals(v, other);
    }
  } else if (name == "callable") {
    result = v.is_callable();
  } else if (name == "lower" || name == "upper") {
    const std::string s = ToStr(v);
    bool cased = false, ok = true;
    for (char c : s) {
      if (c >= 'a' && c <= 'z') {
        cased = true;
        ok = ok && name == "lower";
      } else if (c >= 'A' && c <= 'Z') {
        cased = true;
        ok = ok && name == "upper";
      }
    }
    result = cased && ok;
  } else if (name == "filter" || name == "test") {
    const Value which = args.Get(0, "name");
    result = which.is_string() && (name == "filter" ? IsKnownFilter(which.str()) : IsKnownTest(which.str()));
  } else if (name == "escaped") {
    result = false;  // there is no autoescaping, so nothing is marked as escaped
  }
  TTT_RETURN_IF_ERROR(args.Done());
  (void)ev;
  return result;
}

}  // namespace ttt::chat
