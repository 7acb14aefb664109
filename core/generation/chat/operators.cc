#include "core/generation/chat/operators.h"

#include <cmath>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "core/generation/chat/methods.h"
#include "core/generation/chat/py_string.h"
#include "core/runtime/status.h"

namespace ttt::chat {
namespace {

absl::Status OperandError(absl::string_view op, const Value& a, const Value& b) {
  return absl::InvalidArgumentError(absl::StrCat("unsupported operand type(s) for ", op, ": '", TypeName(a),
                                                 "' and '", TypeName(b), "'"));
}

absl::Status Overflow(absl::string_view op) {
  return absl::OutOfRangeError(absl::StrCat("integer overflow in '", op, "' (beyond 64 bits)"));
}

absl::StatusOr<Value> Repeat(Evaluator& ev, const Value& seq, int64_t times) {
  if (times < 0) times = 0;
  if (seq.is_string()) {
    const size_t size = seq.str().size();
    if (size != 0 && static_cast<uint64_t>(times) > ev.limits().max_output_bytes / size) {
      return ev.CheckStringSize(ev.limits().max_output_bytes + 1);
    }
    std::string out;
    out.reserve(size * static_cast<size_t>(times));
    for (int64_t i = 0; i < times; ++i) out += seq.str();
    return Value::String(std::move(out));
  }
  const auto& items = seq.list().items;
  if (!items.empty() && static_cast<uint64_t>(times) > ev.limits().max_list_items / items.size()) {
    return ev.CheckListSize(ev.limits().max_list_items + 1);
  }
  std::vector<Value> out;
  for (int64_t i = 0; i < times; ++i) out.insert(out.end(), items.begin(), items.end());
  return Value::NewList(std::move(out));
}

absl::StatusOr<Value> Arithmetic(absl::string_view op, const Value& a, const Value& b) {
  if (a.is_integral() && b.is_integral()) {
    const int64_t x = a.int_value(), y = b.int_value();
    int64_t r = 0;
    if (op == "+") {
      if (__builtin_add_overflow(x, y, &r)) return Overflow(op);
      return Value::Int(r);
    }
    if (op == "-") {
      if (__builtin_sub_overflow(x, y, &r)) return Overflow(op);
      return Value::Int(r);
    }
    if (op == "*") {
      if (__builtin_mul_overflow(x, y, &r)) return Overflow(op);
      return Value::Int(r);
    }
    if (op == "/") {
      if (y == 0) return absl::InvalidArgumentError("division by zero");
      return Value::Float(static_cast<double>(x) / static_cast<double>(y));
    }
    if (op == "//" || op == "%") {
      if (y == 0) return absl::InvalidArgumentError("integer division or modulo by zero");
      if (x == INT64_MIN && y == -1) return Overflow(op);
      int64_t q = x / y, m = x % y;
      if (m != 0 && ((m < 0) != (y < 0))) {
        --q;
        m += y;
      }
      return Value::Int(op == "//" ? q : m);
    }
    if (op == "**") {
      if (y < 0) return Value::Float(std::pow(static_cast<double>(x), static_cast<double>(y)));
      int64_t result = 1, base = x, e = y;
      while (e > 0) {
        if (e & 1) {
          if (__builtin_mul_overflow(result, base, &result)) return Overflow(op);
        }
        e >>= 1;
        if (e > 0 && __builtin_mul_overflow(base, base, &base)) return Overflow(op);
      }
      return Value::Int(result);
    }
  }
  const double x = a.AsDouble(), y = b.AsDouble();
  if (op == "+") return Value::Float(x + y);
  if (op == "-") return Value::Float(x - y);
  if (op == "*") return Value::Float(x * y);
  if (op == "/") {
    if (y == 0) return absl::InvalidArgumentError("float division by zero");
    return Value::Float(x / y);
  }
  if (op == "//" || op == "%") {
    if (y == 0) return absl::InvalidArgumentError("float modulo by zero");
    double m = std::fmod(x, y);
    if (m != 0 && ((m < 0) != (y < 0))) m += y;
    if (op == "%") return Value::Float(m);
    return Value::Float(std::floor(x / y));
  }
  if (op == "**") return Value::Float(std::pow(x, y));
  return absl::InternalError(absl::StrCat("unknown operator ", op));
}

}  // namespace

absl::Status UndefinedError(const Value& v) {
  const std::string& hint = v.undefined_hint();
  return absl::InvalidArgumentError(hint.empty() ? std::string("a value is undefined") : hint);
}

absl::StatusOr<Value> BinaryOp(Evaluator& ev, absl::string_view op, const Value& a, const Value& b) {
  if (op == "~") {
    std::string out = ToStr(a);
    out += ToStr(b);
    TTT_RETURN_IF_ERROR(ev.CheckStringSize(out.size()));
    return Value::String(std::move(out));
  }
  if (a.is_undefined()) return UndefinedError(a);
  if (b.is_undefined()) return UndefinedError(b);
  if (a.is_number() && b.is_number()) return Arithmetic(op, a, b);
  if (op == "+") {
    if (a.is_string() && b.is_string()) {
      TTT_RETURN_IF_ERROR(ev.CheckStringSize(a.str().size() + b.str().size()));
      return Value::String(a.str() + b.str());
    }
    if (a.is_list() && b.is_list()) {
      TTT_RETURN_IF_ERROR(ev.CheckListSize(a.list().items.size() + b.list().items.size()));
      std::vector<Value> items = a.list().items;
      items.insert(items.end(), b.list().items.begin(), b.list().items.end());
      Value out = Value::NewList(std::move(items));
      out.list().is_tuple = a.list().is_tuple;
      return out;
    }
  }
  if (op == "*") {
    if ((a.is_string() || a.is_list()) && b.is_integral()) return Repeat(ev, a, b.int_value());
    if (a.is_integral() && (b.is_string() || b.is_list())) return Repeat(ev, b, a.int_value());
  }
  if (op == "%" && a.is_string()) {
    return absl::UnimplementedError("unsupported construct 'string % formatting' (use ~ or the format-free filters)");
  }
  return OperandError(op, a, b);
}

absl::StatusOr<Value> UnaryOp(absl::string_view op, const Value& v) {
  if (v.is_undefined()) return UndefinedError(v);
  if (!v.is_number()) {
    return absl::InvalidArgumentError(absl::StrCat("bad operand type for unary ", op, ": '", TypeName(v), "'"));
  }
  if (op == "+") return v.is_float() ? v : Value::Int(v.int_value());
  if (v.is_float()) return Value::Float(-v.float_value());
  if (v.int_value() == INT64_MIN) return Overflow("-");
  return Value::Int(-v.int_value());
}

absl::StatusOr<bool> Contains(const Value& container, const Value& item) {
  switch (container.kind()) {
    case Value::Kind::kString:
      if (!item.is_string()) {
        return absl::InvalidArgumentError(
            absl::StrCat("'in <string>' requires a string as left operand, not '", TypeName(item), "'"));
      }
      return container.str().find(item.str()) != std::string::npos;
    case Value::Kind::kList:
      for (const Value& v : container.list().items) {
        if (Equals(v, item)) return true;
      }
      return false;
    case Value::Kind::kDict:
      return item.is_string() && container.dict().Find(item.str()) != nullptr;
    case Value::Kind::kUndefined:
      return false;
    default:
      return absl::InvalidArgumentError(
          absl::StrCat("argument of type '", TypeName(container), "' is not iterable (right of 'in')"));
  }
}

absl::StatusOr<Value> GetAttr(const Value& object, absl::string_view name) {
  if (object.is_undefined()) return UndefinedError(object);
  if (object.is_dict()) {
    if (!object.dict().is_namespace) {
      if (std::optional<Value> method = BoundMethod(object, name)) return *method;
    }
    if (const Value* v = object.dict().Find(name)) return *v;
    return Value::Undefined(absl::StrCat("'", object.dict().is_namespace ? "Namespace" : "dict",
                                         " object' has no attribute '", name, "'"));
  }
  if (std::optional<Value> method = BoundMethod(object, name)) return *method;
  return Value::Undefined(absl::StrCat("'", TypeName(object), " object' has no attribute '", name, "'"));
}

absl::StatusOr<Value> GetItem(const Value& object, const Value& key) {
  if (object.is_undefined()) return UndefinedError(object);
  if (object.is_dict() && key.is_string()) {
    if (const Value* v = object.dict().Find(key.str())) return *v;
    if (!object.dict().is_namespace) {
      if (std::optional<Value> method = BoundMethod(object, key.str())) return *method;
    }
    return Value::Undefined(absl::StrCat("'dict object' has no attribute '", key.str(), "'"));
  }
  if ((object.is_list() || object.is_string()) && key.is_integral()) {
    if (object.is_list()) {
      const auto& items = object.list().items;
      int64_t i = key.int_value();
      if (i < 0) i += static_cast<int64_t>(items.size());
      if (i >= 0 && i < static_cast<int64_t>(items.size())) return items[static_cast<size_t>(i)];
      return Value::Undefined(absl::StrCat("list index ", key.int_value(), " out of range (", items.size(), " items)"));
    }
    std::vector<size_t> offsets = CodePointOffsets(object.str());
    const int64_t length = static_cast<int64_t>(offsets.size()) - 1;
    int64_t i = key.int_value();
    if (i < 0) i += length;
    if (i >= 0 && i < length) {
      return Value::String(object.str().substr(offsets[i], offsets[i + 1] - offsets[i]));
    }
    return Value::Undefined(absl::StrCat("string index ", key.int_value(), " out of range"));
  }
  if (key.is_string()) {
    if (std::optional<Value> method = BoundMethod(object, key.str())) return *method;
  }
  return Value::Undefined(absl::StrCat("'", TypeName(object), " object' has no item ", Repr(key)));
}

absl::StatusOr<Value> GetSlice(const Value& object, const Value& start, const Value& stop, const Value& step) {
  if (object.is_undefined()) return UndefinedError(object);
  auto bound = [](const Value& v, absl::string_view what) -> absl::StatusOr<std::optional<int64_t>> {
    if (v.is_undefined() || v.is_none()) return std::optional<int64_t>();
    if (!v.is_integral()) {
      return absl::InvalidArgumentError(
          absl::StrCat("slice ", what, " must be an integer or none, not '", TypeName(v), "'"));
    }
    return std::optional<int64_t>(v.int_value());
  };
  TTT_ASSIGN_OR_RETURN(std::optional<int64_t> begin, bound(start, "start"));
  TTT_ASSIGN_OR_RETURN(std::optional<int64_t> end, bound(stop, "stop"));
  TTT_ASSIGN_OR_RETURN(std::optional<int64_t> stride, bound(step, "step"));
  const int64_t s = stride.value_or(1);
  if (s == 0) return absl::InvalidArgumentError("slice step cannot be zero");
  if (object.is_string()) return Value::String(SliceString(object.str(), begin, end, s));
  if (object.is_list()) {
    const auto& items = object.list().items;
    std::vector<Value> out;
    for (int64_t i : SliceIndices(static_cast<int64_t>(items.size()), begin, end, s)) {
      out.push_back(items[static_cast<size_t>(i)]);
    }
    Value list = Value::NewList(std::move(out));
    list.list().is_tuple = object.list().is_tuple;
    return list;
  }
  return absl::InvalidArgumentError(absl::StrCat("'", TypeName(object), "' object cannot be sliced"));
}

}  // namespace ttt::chat
