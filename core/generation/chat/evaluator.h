// Runs a parsed template: statements write text, expressions compute values, with Jinja2's scoping (a for
// loop body and a macro have their own variables; `if` does not; a namespace is how a loop hands a value
// out). Every render is bounded (steps, recursion, string and list sizes, output size), so a hostile
// template ends with an error rather than running away.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "core/generation/chat/ast.h"
#include "core/generation/chat/value.h"

namespace ttt::chat {

struct RenderLimits {
  size_t max_output_bytes = 16u << 20;   // the rendering, and any single string value
  size_t max_list_items = 1u << 20;      // any single list (range(), list * n, appends)
  int64_t max_steps = 5'000'000;         // expression evaluations plus loop iterations (seconds at most)
  int max_recursion = 400;               // nested evaluation frames (macro recursion included)
};

class Evaluator {
 public:
  // `globals` is a dict: the variables the template is rendered with (messages, bos_token...).
  // `now` is what strftime_now() formats.
  Evaluator(const RenderLimits& limits, Value globals, std::chrono::system_clock::time_point now);

  absl::StatusOr<std::string> Render(const Body& body);

  // Used by filters, methods and builtins.
  absl::StatusOr<Value> Call(const Value& callee, CallArgs& args);
  absl::Status CheckStringSize(size_t bytes) const;
  absl::Status CheckListSize(size_t items) const;
  // Refuses to store `item` in the list, dict or namespace `container` when `item` reaches `container`: reference
  // counting never frees a value that holds itself, so every render of such a template would leak it. The walk
  // counts against the step limit. `what` names the operation for the error ("append()").
  absl::Status CheckCanHold(const Value& container, const Value& item, absl::string_view what);
  const RenderLimits& limits() const { return limits_; }
  std::chrono::system_clock::time_point now() const { return now_; }

 private:
  struct Frame {
    absl::flat_hash_map<std::string, Value> vars;
    std::shared_ptr<Frame> parent;
  };
  enum class Flow { kNormal, kBreak, kContinue };

  absl::StatusOr<Flow> Exec(const Body& body, std::string& out);
  absl::StatusOr<Flow> ExecStatement(const Stmt& stmt, std::string& out);
  absl::StatusOr<Flow> ExecFor(const Stmt& stmt, std::string& out);
  absl::Status ExecSet(const Stmt& stmt);
  absl::Status DefineMacro(const Stmt& stmt);
  absl::StatusOr<Value> CallMacro(const Stmt& macro, std::shared_ptr<Frame> parent, CallArgs& args);
  absl::Status ExecCallBlock(const Stmt& stmt, std::string& out);
  absl::StatusOr<std::string> RenderNested(const Body& body, std::shared_ptr<Frame> frame);
  absl::StatusOr<Value> ApplyFilterChain(const std::vector<ExprPtr>& filters, Value input);

  absl::StatusOr<Value> Eval(const Expr& e);
  absl::StatusOr<Value> EvalInner(const Expr& e);
  absl::StatusOr<Value> EvalCompare(const Expr& e);
  absl::StatusOr<Value> EvalCall(const Expr& e, const Value* caller);
  absl::StatusOr<CallArgs> EvalArgs(const CallSyntax& syntax);
  absl::StatusOr<Value> EvalFilter(const Expr& e, Value input);

  Value Lookup(const std::string& name) const;
  absl::Status Bind(const std::vector<std::string>& targets, const Value& value, Frame& frame);
  absl::Status Step();
  absl::Status Append(std::string& out, absl::string_view text) const;

  RenderLimits limits_;
  Value globals_;
  std::chrono::system_clock::time_point now_;
  std::shared_ptr<Frame> frame_;
  int64_t steps_ = 0;
  int depth_ = 0;
};

}  // namespace ttt::chat
