// The expression half of the parser: Jinja2's expression grammar and operator precedence (or, and, not,
// comparisons and `in`, + -, ~, * / // %, **, unary signs, then postfix access, calls, filters and `is`
// tests). The statement parser (parser.cc) builds on it. Unknown filters and tests are refused here, with
// their place.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "core/generation/chat/ast.h"
#include "core/generation/chat/lexer.h"

namespace ttt::chat {

// Nesting (blocks inside blocks, parentheses inside parentheses) deeper than this is refused, which bounds
// the recursion of both the parser and the evaluator whatever the template.
inline constexpr int kMaxNesting = 100;

class ExpressionParser {
 public:
  explicit ExpressionParser(const std::vector<Token>& tokens) : tokens_(tokens) {}

 protected:
  // ---- token helpers -------------------------------------------------------------------------------
  const Token& Current() const { return tokens_[pos_]; }
  const Token& Peek(size_t ahead = 1) const {
    return tokens_[std::min(pos_ + ahead, tokens_.size() - 1)];
  }
  void Advance() {
    if (pos_ + 1 < tokens_.size()) ++pos_;
  }
  bool IsOp(absl::string_view op) const { return Current().kind == TokenKind::kOperator && Current().text == op; }
  bool IsName(absl::string_view name) const { return Current().kind == TokenKind::kName && Current().text == name; }
  bool SkipOp(absl::string_view op) {
    if (!IsOp(op)) return false;
    Advance();
    return true;
  }
  bool SkipName(absl::string_view name) {
    if (!IsName(name)) return false;
    Advance();
    return true;
  }

  static std::string Describe(const Token& token) {
    switch (token.kind) {
      case TokenKind::kText: return "template text";
      case TokenKind::kVarBegin: return "'{{'";
      case TokenKind::kVarEnd: return "'}}'";
      case TokenKind::kBlockBegin: return "'{%'";
      case TokenKind::kBlockEnd: return "'%}'";
      case TokenKind::kString: return "a string";
      case TokenKind::kEnd: return "the end of the template";
      default: return absl::StrCat("'", token.text, "'");
    }
  }

  absl::Status Unexpected(absl::string_view expected) const {
    return absl::InvalidArgumentError(absl::StrCat("expected ", expected, " but found ", Describe(Current()), " at ",
                                                   Where(Current().pos)));
  }

  absl::Status ExpectOp(absl::string_view op) {
    if (!SkipOp(op)) return Unexpected(absl::StrCat("'", op, "'"));
    return absl::OkStatus();
  }

  absl::StatusOr<std::string> ExpectName(absl::string_view what) {
    if (Current().kind != TokenKind::kName) return Unexpected(what);
    std::string name = Current().text;
    Advance();
    return name;
  }

  absl::Status ExpectBlockEnd() {
    if (Current().kind != TokenKind::kBlockEnd) return Unexpected("'%}'");
    Advance();
    return absl::OkStatus();
  }

  // Bounds recursion: every nested body and sub-expression passes through one of these.
  class DepthGuard {
   public:
    explicit DepthGuard(int& depth) : depth_(depth) { ++depth_; }
    ~DepthGuard() { --depth_; }
    bool exceeded() const { return depth_ > kMaxNesting; }

   private:
    int& depth_;
  };

  absl::Status TooDeep() const {
    return absl::ResourceExhaustedError(absl::StrCat("template nests blocks or expressions more than ", kMaxNesting,
                                                     " deep at ", Where(Current().pos)));
  }

  static ExprPtr MakeExpr(ExprKind kind, SourcePos pos) {
    auto e = std::make_unique<Expr>();
    e->kind = kind;
    e->pos = pos;
    return e;
  }

  // ---- expressions ---------------------------------------------------------------------------------
  // `a, b` is a tuple where Jinja allows one: in {{ }}, after `in` of a for loop, on the right of set.
  absl::StatusOr<ExprPtr> ParseTuple(bool with_condexpr);
  bool AtExpressionEnd() const;
  absl::StatusOr<ExprPtr> ParseExpression(bool with_condexpr);
  absl::StatusOr<ExprPtr> Binary(std::string op, ExprPtr lhs, ExprPtr rhs, SourcePos pos);
  absl::StatusOr<ExprPtr> ParseOr();
  absl::StatusOr<ExprPtr> ParseAnd();
  absl::StatusOr<ExprPtr> ParseNot();
  absl::StatusOr<ExprPtr> ParseCompare();
  absl::StatusOr<ExprPtr> ParseMath1();
  absl::StatusOr<ExprPtr> ParseConcat();
  absl::StatusOr<ExprPtr> ParseMath2();
  absl::StatusOr<ExprPtr> ParsePow();
  // As in Jinja, a sign binds tighter than filters: `-x|abs` is abs(-x).
  absl::StatusOr<ExprPtr> ParseUnary(bool with_filter);
  absl::StatusOr<ExprPtr> ParsePrimary();
  absl::StatusOr<ExprPtr> ParseParenthesised();
  absl::StatusOr<ExprPtr> ParseList();
  absl::StatusOr<ExprPtr> ParseDict();
  absl::StatusOr<ExprPtr> ParsePostfix(ExprPtr node);
  absl::StatusOr<ExprPtr> ParseSubscript(ExprPtr node);
  absl::Status ParseArgs(CallSyntax& args);
  absl::StatusOr<ExprPtr> ParseCall(ExprPtr callee);
  absl::StatusOr<ExprPtr> ParseFilterExpr(ExprPtr node);
  absl::StatusOr<std::string> ParseDottedName(absl::string_view what);
  absl::StatusOr<ExprPtr> ParseFilter(ExprPtr operand);
  absl::StatusOr<ExprPtr> ParseTest(ExprPtr operand);
  bool StartsTestArgument() const;

  const std::vector<Token>& tokens_;
  size_t pos_ = 0;
  int depth_ = 0;
};

}  // namespace ttt::chat
