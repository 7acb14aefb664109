#include "core/generation/chat/value.h"

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "core/generation/chat/py_string.h"

namespace ttt::chat {
namespace {

// A list can contain itself (xs.append(xs)); printing and comparing stop this deep instead of recursing
// without end. Real data (JSON tool schemas) is far shallower.
constexpr int kMaxDepth = 64;

const std::string& EmptyString() {
  static const std::string* empty = new std::string();
  return *empty;
}

void ReprInto(const Value& v, std::string& out, int depth) {
  if (out.size() > kMaxPrintedBytes) return;  // the caller's size check turns this into an error
  if (depth > kMaxDepth) {
    out += v.is_dict() ? "{...}" : "[...]";
    return;
  }
  switch (v.kind()) {
    case Value::Kind::kString:
      out += PyStrRepr(v.str());
      return;
    case Value::Kind::kList: {
      const ListData& list = v.list();
      out += list.is_tuple ? '(' : '[';
      for (size_t i = 0; i < list.items.size(); ++i) {
        if (i) out += ", ";
        ReprInto(list.items[i], out, depth + 1);
      }
      if (list.is_tuple && list.items.size() == 1) out += ',';
      out += list.is_tuple ? ')' : ']';
      return;
    }
    case Value::Kind::kDict: {
      const DictData& dict = v.dict();
      if (dict.is_namespace) out += "<Namespace ";
      out += '{';
      bool first = true;
      for (const auto& [k, item] : dict.entries()) {
        if (!first) out += ", ";
        first = false;
        out += PyStrRepr(k);
        out += ": ";
        ReprInto(item, out, depth + 1);
      }
      out += '}';
      if (dict.is_namespace) out += '>';
      return;
    }
    default:
      out += ToStr(v);
  }
}

bool EqualsAt(const Value& a, const Value& b, int depth) {
  if (depth > kMaxDepth) return false;
  if (a.is_number() && b.is_number()) {
    if (a.is_integral() && b.is_integral()) return a.int_value() == b.int_value();
    return a.AsDouble() == b.AsDouble();
  }
  if (a.kind() != b.kind()) return false;
  switch (a.kind()) {
    case Value::Kind::kUndefined:
    case Value::Kind::kNone:
      return true;
    case Value::Kind::kString:
      return a.str() == b.str();
    case Value::Kind::kList: {
      const auto& x = a.list().items;
      const auto& y = b.list().items;
      if (x.size() != y.size()) return false;
      for (size_t i = 0; i < x.size(); ++i) {
        if (!EqualsAt(x[i], y[i], depth + 1)) return false;
      }
      return true;
    }
    case Value::Kind::kDict: {
      const DictData& x = a.dict();
      const DictData& y = b.dict();
      if (x.size() != y.size()) return false;
      for (const auto& [k, item] : x.entries()) {
        const Value* other = y.Find(k);
        if (other == nullptr || !EqualsAt(item, *other, depth + 1)) return false;
      }
      return true;
    }
    case Value::Kind::kCallable:
      return a.identity() == b.identity();
    default:
      return false;
  }
}

}  // namespace

const Value* DictData::Find(absl::string_view key) const {
  auto it = index_.find(key);
  return it == index_.end() ? nullptr : &entries_[it->second].second;
}

Value* DictData::FindMutable(absl::string_view key) {
  auto it = index_.find(key);
  return it == index_.end() ? nullptr : &entries_[it->second].second;
}

void DictData::Set(const std::string& key, Value value) {
  auto it = index_.find(key);
  if (it != index_.end()) {
    entries_[it->second].second = std::move(value);
    return;
  }
  index_.emplace(key, entries_.size());
  entries_.emplace_back(key, std::move(value));
}

bool DictData::Erase(absl::string_view key) {
  auto it = index_.find(key);
  if (it == index_.end()) return false;
  entries_.erase(entries_.begin() + static_cast<std::ptrdiff_t>(it->second));
  index_.clear();
  for (size_t i = 0; i < entries_.size(); ++i) index_.emplace(entries_[i].first, i);
  return true;
}

Value Value::Undefined(std::string hint) {
  Value v;
  v.ref_ = std::make_shared<const std::string>(std::move(hint));
  return v;
}

Value Value::None() {
  Value v;
  v.kind_ = Kind::kNone;
  return v;
}

Value Value::Bool(bool b) {
  Value v;
  v.kind_ = Kind::kBool;
  v.int_ = b ? 1 : 0;
  return v;
}

Value Value::Int(int64_t i) {
  Value v;
  v.kind_ = Kind::kInt;
  v.int_ = i;
  return v;
}

Value Value::Float(double f) {
  Value v;
  v.kind_ = Kind::kFloat;
  v.float_ = f;
  return v;
}

Value Value::String(std::string s) {
  Value v;
  v.kind_ = Kind::kString;
  v.ref_ = std::make_shared<const std::string>(std::move(s));
  return v;
}

Value Value::NewList(std::vector<Value> items) {
  Value v;
  v.kind_ = Kind::kList;
  auto data = std::make_shared<ListData>();
  data->items = std::move(items);
  v.ref_ = std::move(data);
  return v;
}

Value Value::NewTuple(std::vector<Value> items) {
  Value v = NewList(std::move(items));
  v.list().is_tuple = true;
  return v;
}

Value Value::NewDict() {
  Value v;
  v.kind_ = Kind::kDict;
  v.ref_ = std::make_shared<DictData>();
  return v;
}

Value Value::NewNamespace() {
  Value v = NewDict();
  v.dict().is_namespace = true;
  return v;
}

Value Value::Function(std::string name, NativeFunction fn, std::vector<Value> captured) {
  Value v;
  v.kind_ = Kind::kCallable;
  v.ref_ = std::make_shared<CallableData>(CallableData{std::move(name), std::move(fn), std::move(captured)});
  return v;
}

const std::string& Value::str() const {
  if (kind_ != Kind::kString) return EmptyString();
  return *std::get<std::shared_ptr<const std::string>>(ref_);
}

const std::string& Value::undefined_hint() const {
  if (kind_ != Kind::kUndefined || !std::holds_alternative<std::shared_ptr<const std::string>>(ref_)) {
    return EmptyString();
  }
  return *std::get<std::shared_ptr<const std::string>>(ref_);
}

const void* Value::identity() const {
  switch (kind_) {
    case Kind::kList: return std::get<std::shared_ptr<ListData>>(ref_).get();
    case Kind::kDict: return std::get<std::shared_ptr<DictData>>(ref_).get();
    case Kind::kCallable: return std::get<std::shared_ptr<CallableData>>(ref_).get();
    default: return nullptr;
  }
}

bool Truthy(const Value& v) {
  switch (v.kind()) {
    case Value::Kind::kUndefined:
    case Value::Kind::kNone:
      return false;
    case Value::Kind::kBool:
    case Value::Kind::kInt:
      return v.int_value() != 0;
    case Value::Kind::kFloat:
      return v.float_value() != 0;
    case Value::Kind::kString:
      return !v.str().empty();
    case Value::Kind::kList:
      return !v.list().items.empty();
    case Value::Kind::kDict:
      return v.dict().size() != 0;
    case Value::Kind::kCallable:
      return true;
  }
  return false;
}

std::string ToStr(const Value& v) {
  switch (v.kind()) {
    case Value::Kind::kUndefined: return "";
    case Value::Kind::kNone: return "None";
    case Value::Kind::kBool: return v.bool_value() ? "True" : "False";
    case Value::Kind::kInt: return absl::StrCat(v.int_value());
    case Value::Kind::kFloat: return PyFloatRepr(v.float_value());
    case Value::Kind::kString: return v.str();
    case Value::Kind::kCallable: return absl::StrCat("<function ", v.callable().name, ">");
    case Value::Kind::kList:
    case Value::Kind::kDict: {
      std::string out;
      ReprInto(v, out, 0);
      return out;
    }
  }
  return "";
}

std::string Repr(const Value& v) {
  std::string out;
  ReprInto(v, out, 0);
  return out;
}

bool Equals(const Value& a, const Value& b) { return EqualsAt(a, b, 0); }

absl::StatusOr<int> Compare(const Value& a, const Value& b) {
  if (a.is_number() && b.is_number()) {
    if (a.is_integral() && b.is_integral()) {
      return a.int_value() < b.int_value() ? -1 : (a.int_value() > b.int_value() ? 1 : 0);
    }
    const double x = a.AsDouble(), y = b.AsDouble();
    return x < y ? -1 : (x > y ? 1 : 0);
  }
  if (a.is_string() && b.is_string()) {
    // Byte order of UTF-8 is code point order, which is how Python orders str.
    const int c = a.str().compare(b.str());
    return c < 0 ? -1 : (c > 0 ? 1 : 0);
  }
  if (a.is_list() && b.is_list()) {
    const auto& x = a.list().items;
    const auto& y = b.list().items;
    for (size_t i = 0; i < x.size() && i < y.size(); ++i) {
      if (Equals(x[i], y[i])) continue;
      return Compare(x[i], y[i]);
    }
    return x.size() < y.size() ? -1 : (x.size() > y.size() ? 1 : 0);
  }
  return absl::InvalidArgumentError(
      absl::StrCat("cannot order '", TypeName(a), "' and '", TypeName(b), "' (comparison with <, >, sort)"));
}

std::string TypeName(const Value& v) {
  switch (v.kind()) {
    case Value::Kind::kUndefined: return "undefined";
    case Value::Kind::kNone: return "NoneType";
    case Value::Kind::kBool: return "bool";
    case Value::Kind::kInt: return "int";
    case Value::Kind::kFloat: return "float";
    case Value::Kind::kString: return "str";
    case Value::Kind::kList: return v.list().is_tuple ? "tuple" : "list";
    case Value::Kind::kDict: return v.dict().is_namespace ? "Namespace" : "dict";
    case Value::Kind::kCallable: return "function";
  }
  return "object";
}

absl::StatusOr<std::vector<Value>> Iterate(const Value& v) {
  switch (v.kind()) {
    case Value::Kind::kUndefined:
      return std::vector<Value>();
    case Value::Kind::kList:
      return v.list().items;
    case Value::Kind::kDict: {
      std::vector<Value> keys;
      keys.reserve(v.dict().size());
      for (const auto& entry : v.dict().entries()) keys.push_back(Value::String(entry.first));
      return keys;
    }
    case Value::Kind::kString: {
      std::vector<Value> chars;
      for (std::string& cp : CodePoints(v.str())) chars.push_back(Value::String(std::move(cp)));
      return chars;
    }
    default:
      return absl::InvalidArgumentError(absl::StrCat("'", TypeName(v), "' object is not iterable"));
  }
}

}  // namespace ttt::chat
