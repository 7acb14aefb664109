// The syntax tree of a parsed template: expressions and statements, each with the place in the source it
// came from so that run-time errors can name it.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/generation/chat/lexer.h"
#include "core/generation/chat/value.h"

namespace ttt::chat {

struct Expr;
using ExprPtr = std::unique_ptr<Expr>;

// The arguments of a call, a filter or a test: f(a, b, key=c).
struct CallSyntax {
  std::vector<ExprPtr> positional;
  std::vector<std::pair<std::string, ExprPtr>> named;
};

enum class ExprKind {
  kLiteral,      // literal
  kName,         // name
  kList,         // items
  kTuple,        // items
  kDict,         // items: key, value, key, value...
  kAttribute,    // operand.name
  kSubscript,    // operand[items[0]]
  kSlice,        // operand[items[0]:items[1]:items[2]], absent parts null
  kCall,         // operand(args)
  kFilter,       // operand | name(args); operand null in {% filter %} and {% set x | f %} chains
  kTest,         // operand is [not] name(args)
  kUnary,        // name is "-", "+" or "not"; operand
  kBinary,       // operand <name> items[0]; name is an arithmetic operator, "~", "and", "or", "in", "not in"
  kCompare,      // operand ops[0] items[0] ops[1] items[1]... (chained: a < b < c)
  kConditional,  // items[0] if operand else items[1] (items[1] null when there is no else)
};

struct Expr {
  ExprKind kind;
  SourcePos pos;
  Value literal;
  std::string name;
  ExprPtr operand;
  std::vector<ExprPtr> items;
  std::vector<std::string> ops;
  CallSyntax args;
  bool negated = false;  // `is not`
};

struct Stmt;
using StmtPtr = std::unique_ptr<Stmt>;
using Body = std::vector<StmtPtr>;

enum class StmtKind {
  kText,         // text
  kOutput,       // {{ expr }}
  kIf,           // branches, else_body
  kFor,          // for targets in expr [if condition]: body, else_body
  kSet,          // set targets = expr, or set targets[0].attribute = expr
  kSetBlock,     // set targets[0] [| filters] %} body {% endset
  kMacro,        // macro name(params): body
  kCallBlock,    // call(params) expr: body (the body is `caller()` inside the called macro)
  kFilterBlock,  // filter filters: body
  kWith,         // with assignments: body
  kScope,        // a block that only renders its body ({% generation %}, Hugging Face's assistant-mask tag)
  kBreak,
  kContinue,
};

struct Param {
  std::string name;
  ExprPtr default_value;  // null when required
};

struct Stmt {
  StmtKind kind;
  SourcePos pos;
  std::string text;
  ExprPtr expr;
  ExprPtr condition;
  std::vector<std::pair<ExprPtr, Body>> branches;
  Body body;
  Body else_body;
  std::vector<std::string> targets;
  std::string attribute;
  std::vector<ExprPtr> filters;
  std::vector<Param> params;
  std::vector<std::pair<std::string, ExprPtr>> assignments;
  std::string name;
};

}  // namespace ttt::chat
