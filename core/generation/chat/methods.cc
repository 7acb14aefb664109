#include "core/generation/chat/methods.h"

#include <algorithm>
#include <cctype>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "core/generation/chat/call_args.h"
#include "core/generation/chat/evaluator.h"
#include "core/generation/chat/py_string.h"
#include "core/runtime/status.h"

namespace ttt::chat {
namespace {

constexpr absl::string_view kStringMethods[] = {
    "strip",   "lstrip",  "rstrip",     "split",   "rsplit",  "splitlines", "startswith", "endswith",
    "upper",   "lower",   "title",      "capitalize", "replace", "find",   "rfind",      "count",
    "join",    "isdigit", "isalpha",    "isalnum", "isspace", "islower", "isupper",    "removeprefix",
    "removesuffix"};
constexpr absl::string_view kListMethods[] = {"append", "extend", "pop", "insert", "index", "count", "copy", "reverse"};
constexpr absl::string_view kDictMethods[] = {"items", "keys", "values", "get", "copy", "update", "pop", "setdefault"};

template <size_t N>
bool In(const absl::string_view (&names)[N], absl::string_view name) {
  return std::find(std::begin(names), std::end(names), name) != std::end(names);
}

absl::StatusOr<std::string> StringArg(const Value& v, absl::string_view what) {
  if (!v.is_string()) {
    return absl::InvalidArgumentError(absl::StrCat(what, " must be a string, not '", TypeName(v), "'"));
  }
  return v.str();
}

absl::StatusOr<std::optional<std::string>> OptionalString(const Value& v, absl::string_view what) {
  if (v.is_undefined() || v.is_none()) return std::optional<std::string>();
  TTT_ASSIGN_OR_RETURN(std::string s, StringArg(v, what));
  return std::optional<std::string>(std::move(s));
}

Value StringList(std::vector<std::string> parts) {
  std::vector<Value> items;
  items.reserve(parts.size());
  for (std::string& p : parts) items.push_back(Value::String(std::move(p)));
  return Value::NewList(std::move(items));
}

template <typename Predicate>
Value AllChars(const std::string& s, Predicate p) {
  if (s.empty()) return Value::Bool(false);
  return Value::Bool(std::all_of(s.begin(), s.end(), [&](char c) { return p(static_cast<unsigned char>(c)); }));
}

// prefix may be a string or a tuple/list of strings, as in Python.
absl::StatusOr<bool> Affix(const std::string& s, const Value& affix, bool prefix) {
  std::vector<Value> options = affix.is_list() ? affix.list().items : std::vector<Value>{affix};
  for (const Value& option : options) {
    TTT_ASSIGN_OR_RETURN(std::string a, StringArg(option, prefix ? "startswith() argument" : "endswith() argument"));
    if (a.size() <= s.size() && (prefix ? s.compare(0, a.size(), a) == 0 : s.compare(s.size() - a.size(), a.size(), a) == 0)) {
      return true;
    }
  }
  return false;
}

absl::StatusOr<Value> CallStringMethod(Evaluator& ev, const std::string& s, absl::string_view name, CallArgs& call) {
  ArgReader args(call, name);
  Value result;
  if (name == "strip" || name == "lstrip" || name == "rstrip") {
    TTT_ASSIGN_OR_RETURN(std::optional<std::string> chars, OptionalString(args.Get(0, "chars"), "strip chars"));
    result = Value::String(PyStrip(s, chars, name != "rstrip", name != "lstrip"));
  } else if (name == "split" || name == "rsplit") {
    TTT_ASSIGN_OR_RETURN(std::optional<std::string> sep, OptionalString(args.Get(0, "sep"), "split separator"));
    if (sep && sep->empty()) return absl::InvalidArgumentError("split(): empty separator");
    Value maxsplit = args.Get(1, "maxsplit", Value::Int(-1));
    if (!maxsplit.is_integral()) return absl::InvalidArgumentError("split(): maxsplit must be an integer");
    if (name == "rsplit" && maxsplit.int_value() >= 0) {
      return absl::UnimplementedError("unsupported construct 'rsplit with maxsplit'");
    }
    result = StringList(PySplit(s, sep, maxsplit.int_value()));
  } else if (name == "splitlines") {
    result = StringList(PySplitLines(s));
  } else if (name == "startswith" || name == "endswith") {
    TTT_ASSIGN_OR_RETURN(bool found, Affix(s, args.Get(0, "prefix"), name == "startswith"));
    result = Value::Bool(found);
  } else if (name == "upper") {
    result = Value::String(PyUpper(s));
  } else if (name == "lower") {
    result = Value::String(PyLower(s));
  } else if (name == "title") {
    result = Value::String(PyTitle(s));
  } else if (name == "capitalize") {
    result = Value::String(PyCapitalize(s));
  } else if (name == "replace") {
    TTT_ASSIGN_OR_RETURN(std::string from, StringArg(args.Get(0, "old"), "replace() old"));
    TTT_ASSIGN_OR_RETURN(std::string to, StringArg(args.Get(1, "new"), "replace() new"));
    Value count = args.Get(2, "count", Value::Int(-1));
    if (!count.is_integral()) return absl::InvalidArgumentError("replace(): count must be an integer");
    // Bound the result before building it: replacing in a long text multiplies sizes.
    TTT_RETURN_IF_ERROR(ev.CheckStringSize(PyReplacedSize(s, from, to, count.int_value())));
    result = Value::String(PyReplace(s, from, to, count.int_value()));
  } else if (name == "find" || name == "rfind" || name == "count") {
    TTT_ASSIGN_OR_RETURN(std::string needle, StringArg(args.Get(0, "sub"), absl::StrCat(name, "() argument")));
    if (name == "count") {
      int64_t n = 0;
      if (needle.empty()) {
        n = CodePointCount(s) + 1;
      } else {
        for (size_t at = s.find(needle); at != std::string::npos; at = s.find(needle, at + needle.size())) ++n;
      }
      result = Value::Int(n);
    } else {
      const size_t at = name == "find" ? s.find(needle) : s.rfind(needle);
      // Python counts code points; convert the byte offset.
      result = Value::Int(at == std::string::npos ? -1 : CodePointCount(absl::string_view(s).substr(0, at)));
    }
  } else if (name == "join") {
    Value iterable = args.Get(0, "iterable");
    TTT_ASSIGN_OR_RETURN(std::vector<Value> items, Iterate(iterable));
    std::string out;
    for (size_t i = 0; i < items.size(); ++i) {
      if (!items[i].is_string()) {
        return absl::InvalidArgumentError(
            absl::StrCat("join(): item ", i, " is '", TypeName(items[i]), "', not a string"));
      }
      if (i) out += s;
      out += items[i].str();
      TTT_RETURN_IF_ERROR(ev.CheckStringSize(out.size()));
    }
    result = Value::String(std::move(out));
  } else if (name == "isdigit") {
    result = AllChars(s, [](unsigned char c) { return c >= '0' && c <= '9'; });
  } else if (name == "isalpha") {
    result = AllChars(s, [](unsigned char c) { return std::isalpha(c) != 0 || c >= 0x80; });
  } else if (name == "isalnum") {
    result = AllChars(s, [](unsigned char c) { return std::isalnum(c) != 0 || c >= 0x80; });
  } else if (name == "isspace") {
    result = AllChars(s, [](unsigned char c) { return IsPySpace(static_cast<char>(c)); });
  } else if (name == "islower" || name == "isupper") {
    const bool want_lower = name == "islower";
    bool cased = false, ok = true;
    for (char c : s) {
      if (c >= 'a' && c <= 'z') {
        cased = true;
        ok = ok && want_lower;
      } else if (c >= 'A' && c <= 'Z') {
        cased = true;
        ok = ok && !want_lower;
      }
    }
    result = Value::Bool(cased && ok);
  } else if (name == "removeprefix" || name == "removesuffix") {
    TTT_ASSIGN_OR_RETURN(std::string affix, StringArg(args.Get(0, "affix"), absl::StrCat(name, "() argument")));
    std::string out = s;
    if (name == "removeprefix" && out.compare(0, affix.size(), affix) == 0) out.erase(0, affix.size());
    if (name == "removesuffix" && out.size() >= affix.size() &&
        out.compare(out.size() - affix.size(), affix.size(), affix) == 0) {
      out.resize(out.size() - affix.size());
    }
    result = Value::String(std::move(out));
  }
  TTT_RETURN_IF_ERROR(args.Done());
  return result;
}

absl::StatusOr<Value> CallListMethod(Evaluator& ev, const Value& receiver, absl::string_view name, CallArgs& call) {
  ArgReader args(call, name);
  std::vector<Value>& items = receiver.list().items;
  Value result = Value::None();
  if (name == "append") {
    TTT_RETURN_IF_ERROR(ev.CheckListSize(items.size() + 1));
    Value item = args.Get(0, "object");
    TTT_RETURN_IF_ERROR(ev.CheckCanHold(receiver, item, "append()"));
    items.push_back(std::move(item));
  } else if (name == "extend") {
    TTT_ASSIGN_OR_RETURN(std::vector<Value> more, Iterate(args.Get(0, "iterable")));
    TTT_RETURN_IF_ERROR(ev.CheckListSize(items.size() + more.size()));
    for (const Value& item : more) TTT_RETURN_IF_ERROR(ev.CheckCanHold(receiver, item, "extend()"));
    items.insert(items.end(), more.begin(), more.end());
  } else if (name == "pop") {
    if (items.empty()) return absl::InvalidArgumentError("pop from empty list");
    Value index = args.Get(0, "index", Value::Int(-1));
    if (!index.is_integral()) return absl::InvalidArgumentError("pop(): index must be an integer");
    int64_t i = index.int_value();
    if (i < 0) i += static_cast<int64_t>(items.size());
    if (i < 0 || i >= static_cast<int64_t>(items.size())) return absl::InvalidArgumentError("pop index out of range");
    result = items[static_cast<size_t>(i)];
    items.erase(items.begin() + i);
  } else if (name == "insert") {
    Value index = args.Get(0, "index");
    if (!index.is_integral()) return absl::InvalidArgumentError("insert(): index must be an integer");
    TTT_RETURN_IF_ERROR(ev.CheckListSize(items.size() + 1));
    const int64_t size = static_cast<int64_t>(items.size());
    int64_t i = index.int_value();
    if (i < 0) i = std::max<int64_t>(0, i + size);
    i = std::min(i, size);
    Value item = args.Get(1, "object");
    TTT_RETURN_IF_ERROR(ev.CheckCanHold(receiver, item, "insert()"));
    items.insert(items.begin() + i, std::move(item));
  } else if (name == "index" || name == "count") {
    Value needle = args.Get(0, "value");
    int64_t count = 0, first = -1;
    for (size_t i = 0; i < items.size(); ++i) {
      if (Equals(items[i], needle)) {
        if (first < 0) first = static_cast<int64_t>(i);
        ++count;
      }
    }
    if (name == "index" && first < 0) {
      return absl::InvalidArgumentError(absl::StrCat(Repr(needle), " is not in list"));
    }
    result = Value::Int(name == "index" ? first : count);
  } else if (name == "copy") {
    result = Value::NewList(items);
  } else if (name == "reverse") {
    std::reverse(items.begin(), items.end());
  }
  TTT_RETURN_IF_ERROR(args.Done());
  return result;
}

absl::StatusOr<Value> CallDictMethod(Evaluator& ev, const Value& receiver, absl::string_view name, CallArgs& call) {
  ArgReader args(call, name);
  DictData& dict = receiver.dict();
  Value result = Value::None();
  if (name == "items" || name == "keys" || name == "values") {
    std::vector<Value> out;
    out.reserve(dict.size());
    for (const auto& [k, v] : dict.entries()) {
      if (name == "items") out.push_back(Value::NewTuple({Value::String(k), v}));
      else if (name == "keys") out.push_back(Value::String(k));
      else out.push_back(v);
    }
    result = Value::NewList(std::move(out));
  } else if (name == "get" || name == "pop" || name == "setdefault") {
    Value key = args.Get(0, "key");
    Value fallback = args.Get(1, "default", Value::None());
    const Value* found = key.is_string() ? dict.Find(key.str()) : nullptr;
    if (name == "pop" && found == nullptr && !args.Has(1, "default")) {
      return absl::InvalidArgumentError(absl::StrCat("pop(): key ", Repr(key), " not found"));
    }
    result = found ? *found : fallback;
    if (name == "pop" && found) dict.Erase(key.str());
    if (name == "setdefault" && !found) {
      if (!key.is_string()) return absl::InvalidArgumentError("setdefault(): dict keys must be strings");
      TTT_RETURN_IF_ERROR(ev.CheckCanHold(receiver, fallback, "setdefault()"));
      dict.Set(key.str(), fallback);
    }
  } else if (name == "copy") {
    result = Value::NewDict();
    for (const auto& [k, v] : dict.entries()) result.dict().Set(k, v);
  } else if (name == "update") {
    Value other = args.Get(0, "other");
    if (!other.is_dict() && !other.is_undefined()) {
      return absl::InvalidArgumentError(absl::StrCat("update(): expected a dict, not '", TypeName(other), "'"));
    }
    // Every value is checked before any is stored, so a refused update leaves the dict as it was.
    std::vector<std::pair<std::string, Value>> updates = call.named;
    if (other.is_dict()) updates.insert(updates.begin(), other.dict().entries().begin(), other.dict().entries().end());
    for (const auto& [k, v] : updates) TTT_RETURN_IF_ERROR(ev.CheckCanHold(receiver, v, "update()"));
    for (const auto& [k, v] : updates) dict.Set(k, v);
    return result;
  }
  TTT_RETURN_IF_ERROR(args.Done());
  return result;
}

}  // namespace

std::optional<Value> BoundMethod(const Value& receiver, absl::string_view name) {
  const bool known = (receiver.is_string() && In(kStringMethods, name)) ||
                     (receiver.is_list() && In(kListMethods, name)) ||
                     (receiver.is_dict() && !receiver.dict().is_namespace && In(kDictMethods, name));
  if (!known) return std::nullopt;
  std::string method(name);
  return Value::Function(absl::StrCat(TypeName(receiver), ".", name),
                         [receiver, method](Evaluator& ev, CallArgs& args) -> absl::StatusOr<Value> {
                           if (receiver.is_string()) return CallStringMethod(ev, receiver.str(), method, args);
                           if (receiver.is_list()) return CallListMethod(ev, receiver, method, args);
                           return CallDictMethod(ev, receiver, method, args);
                         },
                         {receiver});
}

}  // namespace ttt::chat
