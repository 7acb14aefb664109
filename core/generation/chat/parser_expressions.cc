#include "core/generation/chat/parser_expressions.h"

#include "core/generation/chat/filters.h"
#include "core/generation/chat/predicates.h"
#include "core/runtime/status.h"

namespace ttt::chat {

absl::StatusOr<ExprPtr> ExpressionParser::ParseTuple(bool with_condexpr) {
  const SourcePos pos = Current().pos;
  TTT_ASSIGN_OR_RETURN(ExprPtr first, ParseExpression(with_condexpr));
  if (!IsOp(",")) return first;
  auto tuple = MakeExpr(ExprKind::kTuple, pos);
  tuple->items.push_back(std::move(first));
  while (SkipOp(",")) {
    if (AtExpressionEnd()) break;
    TTT_ASSIGN_OR_RETURN(ExprPtr item, ParseExpression(with_condexpr));
    tuple->items.push_back(std::move(item));
  }
  return tuple;
}

bool ExpressionParser::AtExpressionEnd() const {
  const Token& t = Current();
  return t.kind == TokenKind::kBlockEnd || t.kind == TokenKind::kVarEnd || t.kind == TokenKind::kEnd ||
         (t.kind == TokenKind::kOperator && (t.text == ")" || t.text == "]" || t.text == "}")) ||
         (t.kind == TokenKind::kName && (t.text == "if" || t.text == "recursive"));
}

absl::StatusOr<ExprPtr> ExpressionParser::ParseExpression(bool with_condexpr) {
  DepthGuard guard(depth_);
  if (guard.exceeded()) return TooDeep();
  if (!with_condexpr) return ParseOr();
  const SourcePos pos = Current().pos;
  TTT_ASSIGN_OR_RETURN(ExprPtr expr, ParseOr());
  while (SkipName("if")) {
    auto conditional = MakeExpr(ExprKind::kConditional, pos);
    TTT_ASSIGN_OR_RETURN(conditional->operand, ParseOr());
    conditional->items.push_back(std::move(expr));
    if (SkipName("else")) {
      TTT_ASSIGN_OR_RETURN(ExprPtr otherwise, ParseExpression(/*with_condexpr=*/true));
      conditional->items.push_back(std::move(otherwise));
    } else {
      conditional->items.push_back(nullptr);
    }
    expr = std::move(conditional);
  }
  return expr;
}

absl::StatusOr<ExprPtr> ExpressionParser::Binary(std::string op, ExprPtr lhs, ExprPtr rhs, SourcePos pos) {
  auto e = MakeExpr(ExprKind::kBinary, pos);
  e->name = std::move(op);
  e->operand = std::move(lhs);
  e->items.push_back(std::move(rhs));
  return e;
}

absl::StatusOr<ExprPtr> ExpressionParser::ParseOr() {
  TTT_ASSIGN_OR_RETURN(ExprPtr lhs, ParseAnd());
  while (IsName("or")) {
    const SourcePos pos = Current().pos;
    Advance();
    TTT_ASSIGN_OR_RETURN(ExprPtr rhs, ParseAnd());
    TTT_ASSIGN_OR_RETURN(lhs, Binary("or", std::move(lhs), std::move(rhs), pos));
  }
  return lhs;
}

absl::StatusOr<ExprPtr> ExpressionParser::ParseAnd() {
  TTT_ASSIGN_OR_RETURN(ExprPtr lhs, ParseNot());
  while (IsName("and")) {
    const SourcePos pos = Current().pos;
    Advance();
    TTT_ASSIGN_OR_RETURN(ExprPtr rhs, ParseNot());
    TTT_ASSIGN_OR_RETURN(lhs, Binary("and", std::move(lhs), std::move(rhs), pos));
  }
  return lhs;
}

absl::StatusOr<ExprPtr> ExpressionParser::ParseNot() {
  if (IsName("not")) {
    DepthGuard guard(depth_);
    if (guard.exceeded()) return TooDeep();
    auto e = MakeExpr(ExprKind::kUnary, Current().pos);
    Advance();
    e->name = "not";
    TTT_ASSIGN_OR_RETURN(e->operand, ParseNot());
    return e;
  }
  return ParseCompare();
}

absl::StatusOr<ExprPtr> ExpressionParser::ParseCompare() {
  const SourcePos pos = Current().pos;
  TTT_ASSIGN_OR_RETURN(ExprPtr first, ParseMath1());
  ExprPtr compare;
  while (true) {
    std::string op;
    if (Current().kind == TokenKind::kOperator &&
        (Current().text == "==" || Current().text == "!=" || Current().text == "<" || Current().text == "<=" ||
         Current().text == ">" || Current().text == ">=")) {
      op = Current().text;
      Advance();
    } else if (IsName("in")) {
      op = "in";
      Advance();
    } else if (IsName("not") && Peek().kind == TokenKind::kName && Peek().text == "in") {
      op = "not in";
      Advance();
      Advance();
    } else {
      break;
    }
    if (!compare) {
      compare = MakeExpr(ExprKind::kCompare, pos);
      compare->operand = std::move(first);
    }
    compare->ops.push_back(op);
    TTT_ASSIGN_OR_RETURN(ExprPtr rhs, ParseMath1());
    compare->items.push_back(std::move(rhs));
  }
  return compare ? std::move(compare) : std::move(first);
}

absl::StatusOr<ExprPtr> ExpressionParser::ParseMath1() {
  TTT_ASSIGN_OR_RETURN(ExprPtr lhs, ParseConcat());
  while (IsOp("+") || IsOp("-")) {
    const Token op = Current();
    Advance();
    TTT_ASSIGN_OR_RETURN(ExprPtr rhs, ParseConcat());
    TTT_ASSIGN_OR_RETURN(lhs, Binary(op.text, std::move(lhs), std::move(rhs), op.pos));
  }
  return lhs;
}

absl::StatusOr<ExprPtr> ExpressionParser::ParseConcat() {
  TTT_ASSIGN_OR_RETURN(ExprPtr lhs, ParseMath2());
  while (IsOp("~")) {
    const SourcePos pos = Current().pos;
    Advance();
    TTT_ASSIGN_OR_RETURN(ExprPtr rhs, ParseMath2());
    TTT_ASSIGN_OR_RETURN(lhs, Binary("~", std::move(lhs), std::move(rhs), pos));
  }
  return lhs;
}

absl::StatusOr<ExprPtr> ExpressionParser::ParseMath2() {
  TTT_ASSIGN_OR_RETURN(ExprPtr lhs, ParsePow());
  while (IsOp("*") || IsOp("/") || IsOp("//") || IsOp("%")) {
    const Token op = Current();
    Advance();
    TTT_ASSIGN_OR_RETURN(ExprPtr rhs, ParsePow());
    TTT_ASSIGN_OR_RETURN(lhs, Binary(op.text, std::move(lhs), std::move(rhs), op.pos));
  }
  return lhs;
}

absl::StatusOr<ExprPtr> ExpressionParser::ParsePow() {
  TTT_ASSIGN_OR_RETURN(ExprPtr lhs, ParseUnary(/*with_filter=*/true));
  while (IsOp("**")) {
    const SourcePos pos = Current().pos;
    Advance();
    TTT_ASSIGN_OR_RETURN(ExprPtr rhs, ParseUnary(/*with_filter=*/true));
    TTT_ASSIGN_OR_RETURN(lhs, Binary("**", std::move(lhs), std::move(rhs), pos));
  }
  return lhs;
}

absl::StatusOr<ExprPtr> ExpressionParser::ParseUnary(bool with_filter) {
  DepthGuard guard(depth_);
  if (guard.exceeded()) return TooDeep();
  ExprPtr node;
  if (IsOp("-") || IsOp("+")) {
    node = MakeExpr(ExprKind::kUnary, Current().pos);
    node->name = Current().text;
    Advance();
    TTT_ASSIGN_OR_RETURN(node->operand, ParseUnary(/*with_filter=*/false));
  } else {
    TTT_ASSIGN_OR_RETURN(node, ParsePrimary());
  }
  TTT_ASSIGN_OR_RETURN(node, ParsePostfix(std::move(node)));
  if (with_filter) {
    TTT_ASSIGN_OR_RETURN(node, ParseFilterExpr(std::move(node)));
  }
  return node;
}

absl::StatusOr<ExprPtr> ExpressionParser::ParsePrimary() {
  const Token& token = Current();
  const SourcePos pos = token.pos;
  switch (token.kind) {
    case TokenKind::kName: {
      const std::string& n = token.text;
      auto literal = MakeExpr(ExprKind::kLiteral, pos);
      if (n == "true" || n == "True") {
        literal->literal = Value::Bool(true);
      } else if (n == "false" || n == "False") {
        literal->literal = Value::Bool(false);
      } else if (n == "none" || n == "None") {
        literal->literal = Value::None();
      } else {
        auto name = MakeExpr(ExprKind::kName, pos);
        name->name = n;
        Advance();
        return name;
      }
      Advance();
      return literal;
    }
    case TokenKind::kString: {
      // Adjacent literals concatenate, as in Python: "a" "b" is "ab".
      std::string text;
      while (Current().kind == TokenKind::kString) {
        text += Current().text;
        Advance();
      }
      auto literal = MakeExpr(ExprKind::kLiteral, pos);
      literal->literal = Value::String(std::move(text));
      return literal;
    }
    case TokenKind::kInt:
    case TokenKind::kFloat: {
      auto literal = MakeExpr(ExprKind::kLiteral, pos);
      literal->literal =
          token.kind == TokenKind::kInt ? Value::Int(token.int_value) : Value::Float(token.float_value);
      Advance();
      return literal;
    }
    case TokenKind::kOperator:
      if (token.text == "(") return ParseParenthesised();
      if (token.text == "[") return ParseList();
      if (token.text == "{") return ParseDict();
      break;
    default:
      break;
  }
  return Unexpected("an expression");
}

absl::StatusOr<ExprPtr> ExpressionParser::ParseParenthesised() {
  const SourcePos pos = Current().pos;
  Advance();
  if (SkipOp(")")) return MakeExpr(ExprKind::kTuple, pos);
  TTT_ASSIGN_OR_RETURN(ExprPtr first, ParseExpression(/*with_condexpr=*/true));
  if (SkipOp(")")) return first;
  auto tuple = MakeExpr(ExprKind::kTuple, pos);
  tuple->items.push_back(std::move(first));
  while (SkipOp(",")) {
    if (IsOp(")")) break;
    TTT_ASSIGN_OR_RETURN(ExprPtr item, ParseExpression(/*with_condexpr=*/true));
    tuple->items.push_back(std::move(item));
  }
  TTT_RETURN_IF_ERROR(ExpectOp(")"));
  return tuple;
}

absl::StatusOr<ExprPtr> ExpressionParser::ParseList() {
  auto list = MakeExpr(ExprKind::kList, Current().pos);
  Advance();
  while (!IsOp("]")) {
    if (!list->items.empty()) TTT_RETURN_IF_ERROR(ExpectOp(","));
    if (IsOp("]")) break;
    TTT_ASSIGN_OR_RETURN(ExprPtr item, ParseExpression(/*with_condexpr=*/true));
    list->items.push_back(std::move(item));
  }
  Advance();
  return list;
}

absl::StatusOr<ExprPtr> ExpressionParser::ParseDict() {
  auto dict = MakeExpr(ExprKind::kDict, Current().pos);
  Advance();
  while (!IsOp("}")) {
    if (!dict->items.empty()) TTT_RETURN_IF_ERROR(ExpectOp(","));
    if (IsOp("}")) break;
    TTT_ASSIGN_OR_RETURN(ExprPtr key, ParseExpression(/*with_condexpr=*/true));
    TTT_RETURN_IF_ERROR(ExpectOp(":"));
    TTT_ASSIGN_OR_RETURN(ExprPtr value, ParseExpression(/*with_condexpr=*/true));
    dict->items.push_back(std::move(key));
    dict->items.push_back(std::move(value));
  }
  Advance();
  return dict;
}

absl::StatusOr<ExprPtr> ExpressionParser::ParsePostfix(ExprPtr node) {
  while (true) {
    if (IsOp(".")) {
      const SourcePos pos = Current().pos;
      Advance();
      if (Current().kind == TokenKind::kName) {
        auto attr = MakeExpr(ExprKind::kAttribute, pos);
        attr->name = Current().text;
        attr->operand = std::move(node);
        Advance();
        node = std::move(attr);
      } else if (Current().kind == TokenKind::kInt) {
        // foo.0 is foo[0] in Jinja.
        auto index = MakeExpr(ExprKind::kSubscript, pos);
        auto literal = MakeExpr(ExprKind::kLiteral, Current().pos);
        literal->literal = Value::Int(Current().int_value);
        index->operand = std::move(node);
        index->items.push_back(std::move(literal));
        Advance();
        node = std::move(index);
      } else {
        return Unexpected("an attribute name after '.'");
      }
    } else if (IsOp("[")) {
      TTT_ASSIGN_OR_RETURN(node, ParseSubscript(std::move(node)));
    } else if (IsOp("(")) {
      TTT_ASSIGN_OR_RETURN(node, ParseCall(std::move(node)));
    } else {
      return node;
    }
  }
}

absl::StatusOr<ExprPtr> ExpressionParser::ParseSubscript(ExprPtr node) {
  const SourcePos pos = Current().pos;
  Advance();  // [
  ExprPtr parts[3];
  int part = 0;
  bool is_slice = false;
  while (!IsOp("]")) {
    if (SkipOp(":")) {
      is_slice = true;
      if (++part > 2) return Unexpected("']'");
      continue;
    }
    if (parts[part]) return Unexpected("':' or ']'");
    TTT_ASSIGN_OR_RETURN(parts[part], ParseExpression(/*with_condexpr=*/true));
    if (IsOp(",")) {
      return absl::UnimplementedError(absl::StrCat("unsupported construct 'tuple subscript' at ", Where(pos)));
    }
  }
  Advance();
  if (!is_slice) {
    if (!parts[0]) return absl::InvalidArgumentError(absl::StrCat("empty subscript [] at ", Where(pos)));
    auto index = MakeExpr(ExprKind::kSubscript, pos);
    index->operand = std::move(node);
    index->items.push_back(std::move(parts[0]));
    return index;
  }
  auto slice = MakeExpr(ExprKind::kSlice, pos);
  slice->operand = std::move(node);
  for (ExprPtr& p : parts) slice->items.push_back(std::move(p));
  return slice;
}

absl::Status ExpressionParser::ParseArgs(CallSyntax& args) {
  TTT_RETURN_IF_ERROR(ExpectOp("("));
  bool first = true;
  while (!IsOp(")")) {
    if (!first) TTT_RETURN_IF_ERROR(ExpectOp(","));
    first = false;
    if (IsOp(")")) break;
    if (IsOp("*") || IsOp("**")) {
      return absl::UnimplementedError(
          absl::StrCat("unsupported construct '", Current().text, "' argument unpacking at ", Where(Current().pos)));
    }
    if (Current().kind == TokenKind::kName && Peek().kind == TokenKind::kOperator && Peek().text == "=") {
      std::string key = Current().text;
      Advance();
      Advance();
      TTT_ASSIGN_OR_RETURN(ExprPtr value, ParseExpression(/*with_condexpr=*/true));
      args.named.emplace_back(std::move(key), std::move(value));
    } else {
      if (!args.named.empty()) {
        return absl::InvalidArgumentError(
            absl::StrCat("positional argument after a keyword argument at ", Where(Current().pos)));
      }
      TTT_ASSIGN_OR_RETURN(ExprPtr value, ParseExpression(/*with_condexpr=*/true));
      args.positional.push_back(std::move(value));
    }
  }
  Advance();
  return absl::OkStatus();
}

absl::StatusOr<ExprPtr> ExpressionParser::ParseCall(ExprPtr callee) {
  auto call = MakeExpr(ExprKind::kCall, callee->pos);  // errors point at what is called
  call->operand = std::move(callee);
  TTT_RETURN_IF_ERROR(ParseArgs(call->args));
  return call;
}

absl::StatusOr<ExprPtr> ExpressionParser::ParseFilterExpr(ExprPtr node) {
  while (true) {
    if (IsOp("|")) {
      Advance();
      TTT_ASSIGN_OR_RETURN(node, ParseFilter(std::move(node)));
    } else if (IsName("is")) {
      TTT_ASSIGN_OR_RETURN(node, ParseTest(std::move(node)));
    } else if (IsOp("(")) {
      TTT_ASSIGN_OR_RETURN(node, ParseCall(std::move(node)));
    } else {
      return node;
    }
  }
}

absl::StatusOr<std::string> ExpressionParser::ParseDottedName(absl::string_view what) {
  TTT_ASSIGN_OR_RETURN(std::string name, ExpectName(what));
  while (IsOp(".") && Peek().kind == TokenKind::kName) {
    Advance();
    absl::StrAppend(&name, ".", Current().text);
    Advance();
  }
  return name;
}

absl::StatusOr<ExprPtr> ExpressionParser::ParseFilter(ExprPtr operand) {
  const SourcePos pos = Current().pos;
  TTT_ASSIGN_OR_RETURN(std::string name, ParseDottedName("a filter name"));
  if (!IsKnownFilter(name)) {
    return absl::UnimplementedError(absl::StrCat("unsupported filter '", name, "' at ", Where(pos)));
  }
  auto filter = MakeExpr(ExprKind::kFilter, pos);
  filter->name = std::move(name);
  filter->operand = std::move(operand);
  if (IsOp("(")) TTT_RETURN_IF_ERROR(ParseArgs(filter->args));
  return filter;
}

absl::StatusOr<ExprPtr> ExpressionParser::ParseTest(ExprPtr operand) {
  const SourcePos pos = Current().pos;
  Advance();  // is
  auto test = MakeExpr(ExprKind::kTest, pos);
  test->negated = SkipName("not");
  TTT_ASSIGN_OR_RETURN(test->name, ParseDottedName("a test name"));
  if (!IsKnownTest(test->name)) {
    return absl::UnimplementedError(absl::StrCat("unsupported test '", test->name, "' at ", Where(pos)));
  }
  test->operand = std::move(operand);
  if (IsOp("(")) {
    TTT_RETURN_IF_ERROR(ParseArgs(test->args));
  } else if (StartsTestArgument()) {
    // `x is divisibleby 3`, `x is equalto "user"`: one argument without parentheses.
    TTT_ASSIGN_OR_RETURN(ExprPtr arg, ParsePrimary());
    TTT_ASSIGN_OR_RETURN(arg, ParsePostfix(std::move(arg)));
    test->args.positional.push_back(std::move(arg));
  }
  return test;
}

bool ExpressionParser::StartsTestArgument() const {
  const Token& t = Current();
  switch (t.kind) {
    case TokenKind::kName:
      return t.text != "else" && t.text != "or" && t.text != "and" && t.text != "if" && t.text != "in" &&
             t.text != "not" && t.text != "is";
    case TokenKind::kString:
    case TokenKind::kInt:
    case TokenKind::kFloat:
      return true;
    case TokenKind::kOperator:
      return t.text == "(" || t.text == "[" || t.text == "{";
    default:
      return false;
  }
}

}  // namespace ttt::chat
