// The expression half of the evaluator: values of literals, names, operators, attribute and item access,
// calls, filters and tests.
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "core/generation/chat/evaluator.h"
#include "core/generation/chat/evaluator_support.h"
#include "core/generation/chat/filters.h"
#include "core/generation/chat/operators.h"
#include "core/generation/chat/predicates.h"
#include "core/runtime/status.h"

namespace ttt::chat {

absl::StatusOr<Value> Evaluator::Call(const Value& callee, CallArgs& args) {
  if (callee.is_undefined()) return UndefinedError(callee);
  if (!callee.is_callable()) {
    return absl::InvalidArgumentError(absl::StrCat("'", TypeName(callee), "' object is not callable"));
  }
  DepthScope depth(depth_);
  if (depth_ > limits_.max_recursion) {
    return absl::ResourceExhaustedError(
        absl::StrCat("the template recursed more than ", limits_.max_recursion, " levels (in ", callee.callable().name, ")"));
  }
  return callee.callable().fn(*this, args);
}

absl::StatusOr<CallArgs> Evaluator::EvalArgs(const CallSyntax& syntax) {
  CallArgs args;
  for (const ExprPtr& e : syntax.positional) {
    TTT_ASSIGN_OR_RETURN(Value v, Eval(*e));
    args.positional.push_back(std::move(v));
  }
  for (const auto& [name, e] : syntax.named) {
    TTT_ASSIGN_OR_RETURN(Value v, Eval(*e));
    args.named.emplace_back(name, std::move(v));
  }
  return args;
}

absl::StatusOr<Value> Evaluator::EvalCall(const Expr& e, const Value* caller) {
  TTT_ASSIGN_OR_RETURN(Value callee, Eval(*e.operand));
  TTT_ASSIGN_OR_RETURN(CallArgs args, EvalArgs(e.args));
  if (caller != nullptr) args.named.emplace_back("caller", *caller);
  absl::StatusOr<Value> result = Call(callee, args);
  if (result.ok()) return result;
  // Errors raised inside a macro already name their place; a builtin's error gets the call's.
  if (callee.is_callable() && result.status().message().find("(line ") != absl::string_view::npos) return result;
  return At(std::move(result), e.pos);
}

absl::StatusOr<Value> Evaluator::EvalFilter(const Expr& e, Value input) {
  TTT_ASSIGN_OR_RETURN(CallArgs args, EvalArgs(e.args));
  return At(ApplyFilter(*this, e.name, input, args), e.pos);
}

absl::StatusOr<Value> Evaluator::EvalCompare(const Expr& e) {
  TTT_ASSIGN_OR_RETURN(Value left, Eval(*e.operand));
  for (size_t i = 0; i < e.ops.size(); ++i) {
    TTT_ASSIGN_OR_RETURN(Value right, Eval(*e.items[i]));
    const std::string& op = e.ops[i];
    bool holds = false;
    if (op == "==") {
      holds = Equals(left, right);
    } else if (op == "!=") {
      holds = !Equals(left, right);
    } else if (op == "in" || op == "not in") {
      TTT_ASSIGN_OR_RETURN(bool found, At(Contains(right, left), e.items[i]->pos));
      holds = found == (op == "in");
    } else {
      if (left.is_undefined()) return At(UndefinedError(left), e.pos);
      if (right.is_undefined()) return At(UndefinedError(right), e.items[i]->pos);
      TTT_ASSIGN_OR_RETURN(int c, At(Compare(left, right), e.pos));
      holds = op == "<" ? c < 0 : op == "<=" ? c <= 0 : op == ">" ? c > 0 : c >= 0;
    }
    if (!holds) return Value::Bool(false);
    left = std::move(right);
  }
  return Value::Bool(true);
}

absl::StatusOr<Value> Evaluator::Eval(const Expr& e) {
  DepthScope depth(depth_);
  if (depth_ > limits_.max_recursion) {
    return absl::ResourceExhaustedError(
        absl::StrCat("the template recursed more than ", limits_.max_recursion, " levels (", Where(e.pos), ")"));
  }
  TTT_RETURN_IF_ERROR(Step());
  TTT_ASSIGN_OR_RETURN(Value v, EvalInner(e));
  if (v.is_string()) TTT_RETURN_IF_ERROR(At(CheckStringSize(v.str().size()), e.pos));
  if (v.is_list()) TTT_RETURN_IF_ERROR(At(CheckListSize(v.list().items.size()), e.pos));
  return v;
}

absl::StatusOr<Value> Evaluator::EvalInner(const Expr& e) {
  switch (e.kind) {
    case ExprKind::kLiteral:
      return e.literal;
    case ExprKind::kName:
      return Lookup(e.name);
    case ExprKind::kList:
    case ExprKind::kTuple: {
      std::vector<Value> items;
      for (const ExprPtr& item : e.items) {
        TTT_ASSIGN_OR_RETURN(Value v, Eval(*item));
        items.push_back(std::move(v));
      }
      return e.kind == ExprKind::kList ? Value::NewList(std::move(items)) : Value::NewTuple(std::move(items));
    }
    case ExprKind::kDict: {
      Value dict = Value::NewDict();
      for (size_t i = 0; i + 1 < e.items.size(); i += 2) {
        TTT_ASSIGN_OR_RETURN(Value key, Eval(*e.items[i]));
        TTT_ASSIGN_OR_RETURN(Value value, Eval(*e.items[i + 1]));
        if (!key.is_string()) {
          return At(absl::UnimplementedError(absl::StrCat("unsupported construct 'dict key of type ", TypeName(key),
                                                          "' (only string keys)")),
                    e.items[i]->pos);
        }
        dict.dict().Set(key.str(), std::move(value));
      }
      return dict;
    }
    case ExprKind::kAttribute: {
      TTT_ASSIGN_OR_RETURN(Value object, Eval(*e.operand));
      return At(GetAttr(object, e.name), e.pos);
    }
    case ExprKind::kSubscript: {
      TTT_ASSIGN_OR_RETURN(Value object, Eval(*e.operand));
      TTT_ASSIGN_OR_RETURN(Value key, Eval(*e.items[0]));
      return At(GetItem(object, key), e.pos);
    }
    case ExprKind::kSlice: {
      TTT_ASSIGN_OR_RETURN(Value object, Eval(*e.operand));
      Value bounds[3];
      for (int i = 0; i < 3; ++i) {
        if (!e.items[i]) continue;
        TTT_ASSIGN_OR_RETURN(bounds[i], Eval(*e.items[i]));
      }
      return At(GetSlice(object, bounds[0], bounds[1], bounds[2]), e.pos);
    }
    case ExprKind::kCall:
      return EvalCall(e, nullptr);
    case ExprKind::kFilter: {
      TTT_ASSIGN_OR_RETURN(Value input, Eval(*e.operand));
      return EvalFilter(e, std::move(input));
    }
    case ExprKind::kTest: {
      TTT_ASSIGN_OR_RETURN(Value subject, Eval(*e.operand));
      TTT_ASSIGN_OR_RETURN(CallArgs args, EvalArgs(e.args));
      TTT_ASSIGN_OR_RETURN(bool result, At(ApplyTest(*this, e.name, subject, args), e.pos));
      return Value::Bool(result != e.negated);
    }
    case ExprKind::kUnary: {
      TTT_ASSIGN_OR_RETURN(Value v, Eval(*e.operand));
      if (e.name == "not") return Value::Bool(!Truthy(v));
      return At(UnaryOp(e.name, v), e.pos);
    }
    case ExprKind::kBinary: {
      TTT_ASSIGN_OR_RETURN(Value left, Eval(*e.operand));
      // and/or give back an operand, not a bool, and skip the right side when the left decides.
      if (e.name == "and") return Truthy(left) ? Eval(*e.items[0]) : left;
      if (e.name == "or") return Truthy(left) ? left : Eval(*e.items[0]);
      TTT_ASSIGN_OR_RETURN(Value right, Eval(*e.items[0]));
      return At(BinaryOp(*this, e.name, left, right), e.pos);
    }
    case ExprKind::kCompare:
      return EvalCompare(e);
    case ExprKind::kConditional: {
      TTT_ASSIGN_OR_RETURN(Value condition, Eval(*e.operand));
      if (Truthy(condition)) return Eval(*e.items[0]);
      if (e.items[1]) return Eval(*e.items[1]);
      return Value::Undefined("the inline if-expression evaluated to false and has no else");
    }
  }
  return absl::InternalError("unknown expression kind");
}

}  // namespace ttt::chat
