#include "core/generation/chat/parser.h"

#include <initializer_list>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "core/generation/chat/parser_expressions.h"
#include "core/runtime/status.h"

namespace ttt::chat {
namespace {

// Statements of Jinja2 this engine leaves out: templates loading other templates make no sense for a
// chat template that must stand alone, and the rest are not used by chat templates.
constexpr absl::string_view kUnsupportedStatements[] = {
    "include", "import", "from", "extends", "block", "do", "autoescape", "trans", "pluralize", "print"};

// Statements ({% if %}, {% for %}, {% set %}, macros...) and the template as a whole, over the expression
// parser.
class Parser : public ExpressionParser {
 public:
  using ExpressionParser::ExpressionParser;

  absl::StatusOr<Body> ParseTemplate() {
    std::string end_tag;
    TTT_ASSIGN_OR_RETURN(Body body, ParseBody({}, &end_tag));
    return body;
  }

 private:
  // Parses statements until a block tag named in `end_names` (consumed up to its name; *end_tag says which)
  // or the end of the template (only allowed when end_names is empty).
  absl::StatusOr<Body> ParseBody(std::initializer_list<absl::string_view> end_names, std::string* end_tag) {
    DepthGuard guard(depth_);
    if (guard.exceeded()) return TooDeep();
    Body body;
    while (true) {
      const Token& token = Current();
      if (token.kind == TokenKind::kEnd) {
        if (end_names.size() == 0) return body;
        // The last name is the block's own end tag (endif, endfor...).
        return absl::InvalidArgumentError(absl::StrCat("the template ends before {% ", *(end_names.end() - 1),
                                                       " %} (a block is left open)"));
      }
      if (token.kind == TokenKind::kText) {
        auto stmt = std::make_unique<Stmt>();
        stmt->kind = StmtKind::kText;
        stmt->pos = token.pos;
        stmt->text = token.text;
        body.push_back(std::move(stmt));
        Advance();
        continue;
      }
      if (token.kind == TokenKind::kVarBegin) {
        auto stmt = std::make_unique<Stmt>();
        stmt->kind = StmtKind::kOutput;
        stmt->pos = token.pos;
        Advance();
        TTT_ASSIGN_OR_RETURN(stmt->expr, ParseTuple(/*with_condexpr=*/true));
        if (Current().kind != TokenKind::kVarEnd) return Unexpected("'}}'");
        Advance();
        body.push_back(std::move(stmt));
        continue;
      }
      if (token.kind != TokenKind::kBlockBegin) return Unexpected("text, '{{' or '{%'");
      const Token& name = Peek();
      if (name.kind != TokenKind::kName) {
        Advance();
        return Unexpected("a statement name");
      }
      for (absl::string_view end : end_names) {
        if (name.text == end) {
          Advance();
          Advance();
          *end_tag = name.text;
          return body;
        }
      }
      TTT_ASSIGN_OR_RETURN(StmtPtr stmt, ParseStatement());
      body.push_back(std::move(stmt));
    }
  }

  absl::StatusOr<StmtPtr> ParseStatement() {
    Advance();  // {%
    const Token name = Current();
    Advance();
    const std::string& n = name.text;
    if (n == "if") return ParseIf(name.pos);
    if (n == "for") return ParseFor(name.pos);
    if (n == "set") return ParseSet(name.pos);
    if (n == "macro") return ParseMacro(name.pos);
    if (n == "call") return ParseCallBlock(name.pos);
    if (n == "filter") return ParseFilterBlock(name.pos);
    if (n == "with") return ParseWith(name.pos);
    if (n == "generation") return ParseScope(name.pos, "endgeneration");
    if (n == "break" || n == "continue") {
      if (loop_depth_ == 0) {
        return absl::InvalidArgumentError(absl::StrCat("'", n, "' outside a for loop at ", Where(name.pos)));
      }
      auto stmt = std::make_unique<Stmt>();
      stmt->kind = n == "break" ? StmtKind::kBreak : StmtKind::kContinue;
      stmt->pos = name.pos;
      TTT_RETURN_IF_ERROR(ExpectBlockEnd());
      return stmt;
    }
    for (absl::string_view unsupported : kUnsupportedStatements) {
      if (n == unsupported) {
        return absl::UnimplementedError(absl::StrCat("unsupported statement '", n, "' at ", Where(name.pos)));
      }
    }
    if (n.rfind("end", 0) == 0 || n == "elif" || n == "else") {
      return absl::InvalidArgumentError(
          absl::StrCat("unexpected '{% ", n, " %}' at ", Where(name.pos), " (no open block it could close)"));
    }
    return absl::UnimplementedError(absl::StrCat("unsupported statement '", n, "' at ", Where(name.pos)));
  }

  absl::StatusOr<StmtPtr> ParseIf(SourcePos pos) {
    auto stmt = std::make_unique<Stmt>();
    stmt->kind = StmtKind::kIf;
    stmt->pos = pos;
    while (true) {
      TTT_ASSIGN_OR_RETURN(ExprPtr condition, ParseTuple(/*with_condexpr=*/false));
      TTT_RETURN_IF_ERROR(ExpectBlockEnd());
      std::string end;
      TTT_ASSIGN_OR_RETURN(Body body, ParseBody({"elif", "else", "endif"}, &end));
      stmt->branches.emplace_back(std::move(condition), std::move(body));
      if (end == "elif") continue;
      if (end == "else") {
        TTT_RETURN_IF_ERROR(ExpectBlockEnd());
        TTT_ASSIGN_OR_RETURN(stmt->else_body, ParseBody({"endif"}, &end));
      }
      TTT_RETURN_IF_ERROR(ExpectBlockEnd());
      return stmt;
    }
  }

  // Loop and assignment targets: a name or names separated by commas, optionally in parentheses.
  absl::StatusOr<std::vector<std::string>> ParseTargets() {
    const bool parenthesised = SkipOp("(");
    std::vector<std::string> names;
    while (true) {
      TTT_ASSIGN_OR_RETURN(std::string name, ExpectName("a variable name"));
      names.push_back(std::move(name));
      if (!SkipOp(",")) break;
      if (Current().kind != TokenKind::kName) break;
    }
    if (parenthesised) TTT_RETURN_IF_ERROR(ExpectOp(")"));
    return names;
  }

  absl::StatusOr<StmtPtr> ParseFor(SourcePos pos) {
    auto stmt = std::make_unique<Stmt>();
    stmt->kind = StmtKind::kFor;
    stmt->pos = pos;
    TTT_ASSIGN_OR_RETURN(stmt->targets, ParseTargets());
    if (!SkipName("in")) return Unexpected("'in'");
    TTT_ASSIGN_OR_RETURN(stmt->expr, ParseTuple(/*with_condexpr=*/false));
    if (SkipName("if")) {
      TTT_ASSIGN_OR_RETURN(stmt->condition, ParseExpression(/*with_condexpr=*/true));
    }
    if (IsName("recursive")) {
      return absl::UnimplementedError(absl::StrCat("unsupported construct 'recursive' for loop at ", Where(pos)));
    }
    TTT_RETURN_IF_ERROR(ExpectBlockEnd());
    ++loop_depth_;
    std::string end;
    auto body = ParseBody({"else", "endfor"}, &end);
    --loop_depth_;
    if (!body.ok()) return body.status();
    stmt->body = std::move(*body);
    if (end == "else") {
      TTT_RETURN_IF_ERROR(ExpectBlockEnd());
      TTT_ASSIGN_OR_RETURN(stmt->else_body, ParseBody({"endfor"}, &end));
    }
    TTT_RETURN_IF_ERROR(ExpectBlockEnd());
    return stmt;
  }

  absl::StatusOr<StmtPtr> ParseSet(SourcePos pos) {
    auto stmt = std::make_unique<Stmt>();
    stmt->pos = pos;
    TTT_ASSIGN_OR_RETURN(std::string first, ExpectName("a variable name"));
    if (SkipOp(".")) {
      // {% set ns.attr = value %}: only namespaces accept it (checked when it runs, as Jinja does).
      TTT_ASSIGN_OR_RETURN(stmt->attribute, ExpectName("an attribute name"));
      stmt->targets.push_back(first);
      stmt->kind = StmtKind::kSet;
      TTT_RETURN_IF_ERROR(ExpectOp("="));
      TTT_ASSIGN_OR_RETURN(stmt->expr, ParseTuple(/*with_condexpr=*/true));
      TTT_RETURN_IF_ERROR(ExpectBlockEnd());
      return stmt;
    }
    stmt->targets.push_back(first);
    while (SkipOp(",")) {
      if (Current().kind != TokenKind::kName) break;
      stmt->targets.push_back(Current().text);
      Advance();
    }
    if (SkipOp("=")) {
      stmt->kind = StmtKind::kSet;
      TTT_ASSIGN_OR_RETURN(stmt->expr, ParseTuple(/*with_condexpr=*/true));
      TTT_RETURN_IF_ERROR(ExpectBlockEnd());
      return stmt;
    }
    if (stmt->targets.size() != 1) return Unexpected("'='");
    stmt->kind = StmtKind::kSetBlock;
    TTT_ASSIGN_OR_RETURN(stmt->filters, ParseFilterChain());
    TTT_RETURN_IF_ERROR(ExpectBlockEnd());
    std::string end;
    TTT_ASSIGN_OR_RETURN(stmt->body, ParseBody({"endset"}, &end));
    TTT_RETURN_IF_ERROR(ExpectBlockEnd());
    return stmt;
  }

  // `| f(args) | g` after {% set x %} or {% filter %}: each filter's operand is the rendered body.
  absl::StatusOr<std::vector<ExprPtr>> ParseFilterChain() {
    std::vector<ExprPtr> filters;
    bool first = true;
    while (first ? (IsOp("|") || Current().kind == TokenKind::kName) : IsOp("|")) {
      if (!(first && Current().kind == TokenKind::kName)) Advance();  // '|'
      first = false;
      TTT_ASSIGN_OR_RETURN(ExprPtr filter, ParseFilter(nullptr));
      filters.push_back(std::move(filter));
    }
    return filters;
  }

  absl::StatusOr<std::vector<Param>> ParseParams() {
    std::vector<Param> params;
    TTT_RETURN_IF_ERROR(ExpectOp("("));
    while (!IsOp(")")) {
      if (!params.empty()) TTT_RETURN_IF_ERROR(ExpectOp(","));
      if (IsOp(")")) break;
      Param param;
      TTT_ASSIGN_OR_RETURN(param.name, ExpectName("a parameter name"));
      if (SkipOp("=")) {
        TTT_ASSIGN_OR_RETURN(param.default_value, ParseExpression(/*with_condexpr=*/true));
      }
      params.push_back(std::move(param));
    }
    Advance();
    return params;
  }

  absl::StatusOr<StmtPtr> ParseMacro(SourcePos pos) {
    auto stmt = std::make_unique<Stmt>();
    stmt->kind = StmtKind::kMacro;
    stmt->pos = pos;
    TTT_ASSIGN_OR_RETURN(stmt->name, ExpectName("a macro name"));
    TTT_ASSIGN_OR_RETURN(stmt->params, ParseParams());
    TTT_RETURN_IF_ERROR(ExpectBlockEnd());
    const int saved_loops = loop_depth_;
    loop_depth_ = 0;  // a loop around the macro definition does not make `break` valid inside it
    std::string end;
    auto body = ParseBody({"endmacro"}, &end);
    loop_depth_ = saved_loops;
    if (!body.ok()) return body.status();
    stmt->body = std::move(*body);
    if (Current().kind == TokenKind::kName) Advance();  // {% endmacro name %}
    TTT_RETURN_IF_ERROR(ExpectBlockEnd());
    return stmt;
  }

  absl::StatusOr<StmtPtr> ParseCallBlock(SourcePos pos) {
    auto stmt = std::make_unique<Stmt>();
    stmt->kind = StmtKind::kCallBlock;
    stmt->pos = pos;
    if (IsOp("(")) {
      TTT_ASSIGN_OR_RETURN(stmt->params, ParseParams());
    }
    TTT_ASSIGN_OR_RETURN(stmt->expr, ParseExpression(/*with_condexpr=*/true));
    if (stmt->expr->kind != ExprKind::kCall) {
      return absl::InvalidArgumentError(absl::StrCat("{% call %} at ", Where(pos), " must call a macro"));
    }
    TTT_RETURN_IF_ERROR(ExpectBlockEnd());
    std::string end;
    TTT_ASSIGN_OR_RETURN(stmt->body, ParseBody({"endcall"}, &end));
    TTT_RETURN_IF_ERROR(ExpectBlockEnd());
    return stmt;
  }

  absl::StatusOr<StmtPtr> ParseFilterBlock(SourcePos pos) {
    auto stmt = std::make_unique<Stmt>();
    stmt->kind = StmtKind::kFilterBlock;
    stmt->pos = pos;
    TTT_ASSIGN_OR_RETURN(stmt->filters, ParseFilterChain());
    if (stmt->filters.empty()) return Unexpected("a filter name");
    TTT_RETURN_IF_ERROR(ExpectBlockEnd());
    std::string end;
    TTT_ASSIGN_OR_RETURN(stmt->body, ParseBody({"endfilter"}, &end));
    TTT_RETURN_IF_ERROR(ExpectBlockEnd());
    return stmt;
  }

  absl::StatusOr<StmtPtr> ParseWith(SourcePos pos) {
    auto stmt = std::make_unique<Stmt>();
    stmt->kind = StmtKind::kWith;
    stmt->pos = pos;
    while (Current().kind != TokenKind::kBlockEnd) {
      if (!stmt->assignments.empty()) TTT_RETURN_IF_ERROR(ExpectOp(","));
      TTT_ASSIGN_OR_RETURN(std::string name, ExpectName("a variable name"));
      TTT_RETURN_IF_ERROR(ExpectOp("="));
      TTT_ASSIGN_OR_RETURN(ExprPtr value, ParseExpression(/*with_condexpr=*/true));
      stmt->assignments.emplace_back(std::move(name), std::move(value));
    }
    Advance();
    std::string end;
    TTT_ASSIGN_OR_RETURN(stmt->body, ParseBody({"endwith"}, &end));
    TTT_RETURN_IF_ERROR(ExpectBlockEnd());
    return stmt;
  }

  absl::StatusOr<StmtPtr> ParseScope(SourcePos pos, absl::string_view end_name) {
    auto stmt = std::make_unique<Stmt>();
    stmt->kind = StmtKind::kScope;
    stmt->pos = pos;
    TTT_RETURN_IF_ERROR(ExpectBlockEnd());
    std::string end;
    TTT_ASSIGN_OR_RETURN(stmt->body, ParseBody({end_name}, &end));
    TTT_RETURN_IF_ERROR(ExpectBlockEnd());
    return stmt;
  }

  int loop_depth_ = 0;  // for loops around the current statement: break/continue need one
};

}  // namespace

absl::StatusOr<Body> Parse(const std::vector<Token>& tokens) { return Parser(tokens).ParseTemplate(); }

}  // namespace ttt::chat
