// The values a Jinja template computes with, modelled on the Python objects Jinja2 hands templates:
// undefined, None, bool, int, float, str, list (and tuple), dict (insertion-ordered, as Python's), and
// callables (builtins, macros, bound methods). Lists and dicts are shared by reference, as in Python, so that
// `ns.x = ...` on a namespace and `xs.append(...)` are seen through every name bound to them.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace ttt::chat {

class Value;
class Evaluator;

struct CallArgs {
  std::vector<Value> positional;
  std::vector<std::pair<std::string, Value>> named;
};

// Builtins, macros and bound methods; they reach the running template (output limits, macro bodies)
// through the Evaluator.
using NativeFunction = std::function<absl::StatusOr<Value>(Evaluator&, CallArgs&)>;

struct ListData {
  std::vector<Value> items;
  bool is_tuple = false;  // only changes how it prints: (a, b) rather than [a, b]
};

struct CallableData {
  std::string name;
  NativeFunction fn;
  // The values `fn` holds (a bound method's receiver), so that a cycle through a callable can be found.
  std::vector<Value> captured;
};

// A dict keeps its keys in insertion order (Python 3.7+), which tojson and `for k, v in d.items()` show.
// Keys are strings: chat templates index messages and tool schemas by name, and JSON keys are strings.
class DictData {
 public:
  const Value* Find(absl::string_view key) const;
  Value* FindMutable(absl::string_view key);
  void Set(const std::string& key, Value value);  // a new key goes last, an existing key keeps its place
  bool Erase(absl::string_view key);
  size_t size() const { return entries_.size(); }
  const std::vector<std::pair<std::string, Value>>& entries() const { return entries_; }

  // A namespace() object: the one kind of object `{% set ns.attr = ... %}` may assign to, and whose
  // attributes are its keys only (no dict methods).
  bool is_namespace = false;

 private:
  std::vector<std::pair<std::string, Value>> entries_;
  absl::flat_hash_map<std::string, size_t> index_;
};

class Value {
 public:
  enum class Kind : uint8_t { kUndefined, kNone, kBool, kInt, kFloat, kString, kList, kDict, kCallable };

  Value() = default;  // undefined
  // `hint` names what was looked up ("'foo' is undefined"), for the error raised if it is used.
  static Value Undefined(std::string hint);
  static Value None();
  static Value Bool(bool b);
  static Value Int(int64_t i);
  static Value Float(double f);
  static Value String(std::string s);
  static Value NewList(std::vector<Value> items = {});
  static Value NewTuple(std::vector<Value> items);
  static Value NewDict();
  static Value NewNamespace();
  static Value Function(std::string name, NativeFunction fn, std::vector<Value> captured = {});

  Kind kind() const { return kind_; }
  bool is_undefined() const { return kind_ == Kind::kUndefined; }
  bool is_none() const { return kind_ == Kind::kNone; }
  bool is_bool() const { return kind_ == Kind::kBool; }
  bool is_int() const { return kind_ == Kind::kInt; }
  bool is_float() const { return kind_ == Kind::kFloat; }
  bool is_string() const { return kind_ == Kind::kString; }
  bool is_list() const { return kind_ == Kind::kList; }
  bool is_dict() const { return kind_ == Kind::kDict; }
  bool is_callable() const { return kind_ == Kind::kCallable; }
  // Python's numbers.Number: bool is an int there, so it counts.
  bool is_number() const { return kind_ == Kind::kBool || kind_ == Kind::kInt || kind_ == Kind::kFloat; }
  bool is_integral() const { return kind_ == Kind::kBool || kind_ == Kind::kInt; }

  bool bool_value() const { return int_ != 0; }
  int64_t int_value() const { return int_; }  // also a bool's 0/1
  double float_value() const { return float_; }
  double AsDouble() const { return kind_ == Kind::kFloat ? float_ : static_cast<double>(int_); }
  const std::string& str() const;
  const std::string& undefined_hint() const;
  ListData& list() const { return *std::get<std::shared_ptr<ListData>>(ref_); }
  DictData& dict() const { return *std::get<std::shared_ptr<DictData>>(ref_); }
  const CallableData& callable() const { return *std::get<std::shared_ptr<CallableData>>(ref_); }
  // Identity of a list/dict/callable (Jinja's `sameas`); null for other kinds.
  const void* identity() const;

 private:
  Kind kind_ = Kind::kUndefined;
  int64_t int_ = 0;
  double float_ = 0;
  std::variant<std::monostate, std::shared_ptr<const std::string>, std::shared_ptr<ListData>,
               std::shared_ptr<DictData>, std::shared_ptr<CallableData>>
      ref_;
};

// Printing a value (a list holding one long string many times over) stops a little past this many bytes,
// so that it cannot exhaust memory; a render's own string limit (below this) then reports the error.
inline constexpr size_t kMaxPrintedBytes = 64u << 20;

// Python truthiness: 0, 0.0, "", empty containers, None, False and undefined are false.
bool Truthy(const Value& v);
// Python str(): what `{{ v }}` prints. Undefined prints as nothing, None as "None", lists as their repr.
std::string ToStr(const Value& v);
// Python repr(): what a str looks like inside a printed list ('a', with quotes).
std::string Repr(const Value& v);
// Python ==: 1 == 1.0 == True, containers compare deeply, undefined equals only undefined.
bool Equals(const Value& a, const Value& b);
// Python ordering (<): numbers with numbers, strings with strings, lists element-wise; anything else is an
// error naming both types. Returns <0, 0 or >0.
absl::StatusOr<int> Compare(const Value& a, const Value& b);
// Python-like type name for messages: 'str', 'int', 'list', 'dict', 'NoneType', 'undefined'...
std::string TypeName(const Value& v);
// What `for x in v` visits: list items, dict keys, a string's characters; undefined is empty.
absl::StatusOr<std::vector<Value>> Iterate(const Value& v);

}  // namespace ttt::chat
