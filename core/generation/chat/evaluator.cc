// The statement half of the evaluator (expressions: evaluator_expressions.cc): text and output, if, for,
// set, macros, call and filter blocks, with scopes.
#include "core/generation/chat/evaluator.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "core/generation/chat/builtins.h"
#include "core/generation/chat/evaluator_support.h"
#include "core/runtime/status.h"

namespace ttt::chat {

Evaluator::Evaluator(const RenderLimits& limits, Value globals, std::chrono::system_clock::time_point now)
    : limits_(limits), globals_(std::move(globals)), now_(now), frame_(std::make_shared<Frame>()) {
  limits_.max_output_bytes = std::min(limits_.max_output_bytes, kMaxPrintedBytes);
  if (!globals_.is_dict()) globals_ = Value::NewDict();
}

absl::StatusOr<std::string> Evaluator::Render(const Body& body) {
  std::string out;
  TTT_ASSIGN_OR_RETURN(Flow flow, Exec(body, out));
  (void)flow;  // break/continue outside a loop are refused by the parser
  return out;
}

absl::Status Evaluator::CheckStringSize(size_t bytes) const {
  if (bytes <= limits_.max_output_bytes) return absl::OkStatus();
  return absl::ResourceExhaustedError(absl::StrCat("the template built a string of more than ",
                                                   limits_.max_output_bytes, " bytes (the render limit)"));
}

absl::Status Evaluator::CheckListSize(size_t items) const {
  if (items <= limits_.max_list_items) return absl::OkStatus();
  return absl::ResourceExhaustedError(
      absl::StrCat("the template built a list of more than ", limits_.max_list_items, " items (the render limit)"));
}

absl::Status Evaluator::Step() {
  if (++steps_ <= limits_.max_steps) return absl::OkStatus();
  return absl::ResourceExhaustedError(absl::StrCat("the template ran more than ", limits_.max_steps,
                                                   " steps (the render limit; does it loop over a huge range?)"));
}

absl::Status Evaluator::CheckCanHold(const Value& container, const Value& item, absl::string_view what) {
  const void* self = container.identity();
  absl::flat_hash_set<const void*> seen;
  std::vector<const Value*> stack = {&item};
  while (!stack.empty()) {
    const Value& v = *stack.back();
    stack.pop_back();
    TTT_RETURN_IF_ERROR(Step());  // every value looked at, so that storing a huge list many times ends
    const void* id = v.identity();
    if (id == nullptr || !seen.insert(id).second) continue;
    if (id == self) {
      return absl::InvalidArgumentError(absl::StrCat(what, ": the ", TypeName(container),
                                                     " would contain itself (a cyclic value, which templates "
                                                     "cannot build)"));
    }
    if (v.is_list()) {
      for (const Value& x : v.list().items) stack.push_back(&x);
    } else if (v.is_dict()) {
      for (const auto& [key, x] : v.dict().entries()) stack.push_back(&x);
    } else if (v.is_callable()) {
      for (const Value& x : v.callable().captured) stack.push_back(&x);
    }
  }
  return absl::OkStatus();
}

absl::Status Evaluator::Append(std::string& out, absl::string_view text) const {
  TTT_RETURN_IF_ERROR(CheckStringSize(out.size() + text.size()));
  absl::StrAppend(&out, text);
  return absl::OkStatus();
}

Value Evaluator::Lookup(const std::string& name) const {
  for (const Frame* f = frame_.get(); f != nullptr; f = f->parent.get()) {
    auto it = f->vars.find(name);
    if (it != f->vars.end()) return it->second;
  }
  if (const Value* v = globals_.dict().Find(name)) return *v;
  if (std::optional<Value> builtin = Builtin(name)) return *builtin;
  return Value::Undefined(absl::StrCat("'", name, "' is undefined"));
}

absl::Status Evaluator::Bind(const std::vector<std::string>& targets, const Value& value, Frame& frame) {
  if (targets.size() == 1) {
    frame.vars[targets[0]] = value;
    return absl::OkStatus();
  }
  TTT_ASSIGN_OR_RETURN(std::vector<Value> parts, Iterate(value));
  if (parts.size() != targets.size()) {
    return absl::InvalidArgumentError(absl::StrCat("cannot unpack ", parts.size(), " values into ", targets.size(),
                                                   " names"));
  }
  for (size_t i = 0; i < targets.size(); ++i) frame.vars[targets[i]] = parts[i];
  return absl::OkStatus();
}

absl::StatusOr<Evaluator::Flow> Evaluator::Exec(const Body& body, std::string& out) {
  for (const StmtPtr& stmt : body) {
    TTT_ASSIGN_OR_RETURN(Flow flow, ExecStatement(*stmt, out));
    if (flow != Flow::kNormal) return flow;
  }
  return Flow::kNormal;
}

absl::StatusOr<std::string> Evaluator::RenderNested(const Body& body, std::shared_ptr<Frame> frame) {
  std::shared_ptr<Frame> saved = std::exchange(frame_, std::move(frame));
  std::string out;
  absl::StatusOr<Flow> flow = Exec(body, out);
  frame_ = std::move(saved);
  if (!flow.ok()) return flow.status();
  return out;
}

absl::StatusOr<Evaluator::Flow> Evaluator::ExecStatement(const Stmt& stmt, std::string& out) {
  DepthScope depth(depth_);
  if (depth_ > limits_.max_recursion) {
    return absl::ResourceExhaustedError(
        absl::StrCat("the template recursed more than ", limits_.max_recursion, " levels (", Where(stmt.pos), ")"));
  }
  TTT_RETURN_IF_ERROR(Step());
  switch (stmt.kind) {
    case StmtKind::kText:
      TTT_RETURN_IF_ERROR(Append(out, stmt.text));
      return Flow::kNormal;
    case StmtKind::kOutput: {
      TTT_ASSIGN_OR_RETURN(Value v, Eval(*stmt.expr));
      TTT_RETURN_IF_ERROR(Append(out, ToStr(v)));
      return Flow::kNormal;
    }
    case StmtKind::kIf:
      for (const auto& [condition, body] : stmt.branches) {
        TTT_ASSIGN_OR_RETURN(Value v, Eval(*condition));
        if (Truthy(v)) return Exec(body, out);
      }
      return Exec(stmt.else_body, out);
    case StmtKind::kFor:
      return ExecFor(stmt, out);
    case StmtKind::kSet:
      TTT_RETURN_IF_ERROR(ExecSet(stmt));
      return Flow::kNormal;
    case StmtKind::kSetBlock: {
      TTT_ASSIGN_OR_RETURN(std::string text, RenderNested(stmt.body, std::make_shared<Frame>(Frame{{}, frame_})));
      TTT_ASSIGN_OR_RETURN(Value v, ApplyFilterChain(stmt.filters, Value::String(std::move(text))));
      TTT_RETURN_IF_ERROR(Bind(stmt.targets, v, *frame_));
      return Flow::kNormal;
    }
    case StmtKind::kMacro:
      TTT_RETURN_IF_ERROR(DefineMacro(stmt));
      return Flow::kNormal;
    case StmtKind::kCallBlock:
      TTT_RETURN_IF_ERROR(ExecCallBlock(stmt, out));
      return Flow::kNormal;
    case StmtKind::kFilterBlock: {
      TTT_ASSIGN_OR_RETURN(std::string text, RenderNested(stmt.body, std::make_shared<Frame>(Frame{{}, frame_})));
      TTT_ASSIGN_OR_RETURN(Value v, ApplyFilterChain(stmt.filters, Value::String(std::move(text))));
      TTT_RETURN_IF_ERROR(Append(out, ToStr(v)));
      return Flow::kNormal;
    }
    case StmtKind::kWith: {
      auto frame = std::make_shared<Frame>(Frame{{}, frame_});
      for (const auto& [name, expr] : stmt.assignments) {
        TTT_ASSIGN_OR_RETURN(frame->vars[name], Eval(*expr));
      }
      TTT_ASSIGN_OR_RETURN(std::string text, RenderNested(stmt.body, std::move(frame)));
      TTT_RETURN_IF_ERROR(Append(out, text));
      return Flow::kNormal;
    }
    case StmtKind::kScope: {
      TTT_ASSIGN_OR_RETURN(std::string text, RenderNested(stmt.body, std::make_shared<Frame>(Frame{{}, frame_})));
      TTT_RETURN_IF_ERROR(Append(out, text));
      return Flow::kNormal;
    }
    case StmtKind::kBreak:
      return Flow::kBreak;
    case StmtKind::kContinue:
      return Flow::kContinue;
  }
  return Flow::kNormal;
}

absl::StatusOr<Evaluator::Flow> Evaluator::ExecFor(const Stmt& stmt, std::string& out) {
  TTT_ASSIGN_OR_RETURN(Value iterable, Eval(*stmt.expr));
  TTT_ASSIGN_OR_RETURN(std::vector<Value> all, At(Iterate(iterable), stmt.expr->pos));
  // `for x in xs if cond` filters first, so loop.index, loop.length and loop.last count kept items only.
  std::vector<Value> items;
  if (stmt.condition) {
    for (Value& item : all) {
      TTT_RETURN_IF_ERROR(Step());
      auto frame = std::make_shared<Frame>(Frame{{}, frame_});
      TTT_RETURN_IF_ERROR(At(Bind(stmt.targets, item, *frame), stmt.pos));
      std::shared_ptr<Frame> saved = std::exchange(frame_, frame);
      absl::StatusOr<Value> keep = Eval(*stmt.condition);
      frame_ = std::move(saved);
      if (!keep.ok()) return keep.status();
      if (Truthy(*keep)) items.push_back(std::move(item));
    }
  } else {
    items = std::move(all);
  }
  if (items.empty()) return Exec(stmt.else_body, out);

  const int64_t length = static_cast<int64_t>(items.size());
  std::shared_ptr<Frame> outer = frame_;
  // One frame and one `loop` object serve every iteration, updated in place (Jinja's loop is also a single
  // object that advances): building them anew per iteration made long loops several times slower.
  auto frame = std::make_shared<Frame>(Frame{{}, outer});
  auto position = std::make_shared<int64_t>(0);
  Value loop = Value::NewDict();
  loop.dict().Set("cycle", Value::Function("loop.cycle", [position](Evaluator&, CallArgs& args) -> absl::StatusOr<Value> {
                    if (args.positional.empty()) return absl::InvalidArgumentError("loop.cycle() needs at least one value");
                    return args.positional[static_cast<size_t>(*position) % args.positional.size()];
                  }));
  for (int64_t i = 0; i < length; ++i) {
    TTT_RETURN_IF_ERROR(Step());
    *position = i;
    frame->vars.clear();
    TTT_RETURN_IF_ERROR(At(Bind(stmt.targets, items[i], *frame), stmt.pos));
    DictData& l = loop.dict();
    l.Set("index", Value::Int(i + 1));
    l.Set("index0", Value::Int(i));
    l.Set("revindex", Value::Int(length - i));
    l.Set("revindex0", Value::Int(length - i - 1));
    l.Set("first", Value::Bool(i == 0));
    l.Set("last", Value::Bool(i == length - 1));
    l.Set("length", Value::Int(length));
    l.Set("depth", Value::Int(1));
    l.Set("depth0", Value::Int(0));
    l.Set("previtem", i > 0 ? items[i - 1] : Value::Undefined("there is no previous item"));
    l.Set("nextitem", i + 1 < length ? items[i + 1] : Value::Undefined("there is no next item"));
    frame->vars["loop"] = loop;
    frame_ = frame;
    absl::StatusOr<Flow> flow = Exec(stmt.body, out);
    frame_ = outer;
    if (!flow.ok()) return flow.status();
    if (*flow == Flow::kBreak) break;
  }
  return Flow::kNormal;
}

absl::Status Evaluator::ExecSet(const Stmt& stmt) {
  TTT_ASSIGN_OR_RETURN(Value value, Eval(*stmt.expr));
  if (stmt.attribute.empty()) return At(Bind(stmt.targets, value, *frame_), stmt.pos);
  const Value object = Lookup(stmt.targets[0]);
  if (!object.is_dict() || !object.dict().is_namespace) {
    return At(absl::InvalidArgumentError(absl::StrCat("cannot assign attribute on non-namespace object '",
                                                      stmt.targets[0], "' (", TypeName(object), ")")),
              stmt.pos);
  }
  TTT_RETURN_IF_ERROR(At(CheckCanHold(object, value, absl::StrCat("set ", stmt.targets[0], ".", stmt.attribute)), stmt.pos));
  object.dict().Set(stmt.attribute, std::move(value));
  return absl::OkStatus();
}

absl::Status Evaluator::DefineMacro(const Stmt& stmt) {
  // The macro sees the variables of the scope it was defined in. It holds that scope weakly: the scope
  // holds the macro, and strong references both ways would never be freed.
  std::weak_ptr<Frame> scope = frame_;
  const Stmt* macro = &stmt;
  frame_->vars[stmt.name] =
      Value::Function(stmt.name, [scope, macro](Evaluator& ev, CallArgs& args) -> absl::StatusOr<Value> {
        std::shared_ptr<Frame> parent = scope.lock();
        if (!parent) {
          return absl::FailedPreconditionError(
              absl::StrCat("macro '", macro->name, "' was called after the block that defined it ended"));
        }
        return ev.CallMacro(*macro, std::move(parent), args);
      });
  return absl::OkStatus();
}

absl::StatusOr<Value> Evaluator::CallMacro(const Stmt& macro, std::shared_ptr<Frame> parent, CallArgs& args) {
  auto frame = std::make_shared<Frame>(Frame{{}, std::move(parent)});
  std::vector<bool> named_used(args.named.size(), false);
  std::shared_ptr<Frame> saved = std::exchange(frame_, frame);
  absl::Status bound = [&]() -> absl::Status {
    for (size_t i = 0; i < macro.params.size(); ++i) {
      const Param& param = macro.params[i];
      Value value;
      bool given = false;
      if (i < args.positional.size()) {
        value = args.positional[i];
        given = true;
      }
      for (size_t k = 0; k < args.named.size(); ++k) {
        if (args.named[k].first == param.name) {
          value = args.named[k].second;
          named_used[k] = true;
          given = true;
        }
      }
      if (!given && param.default_value) {
        // Defaults are evaluated at call time, in the macro's scope (they may use earlier parameters).
        TTT_ASSIGN_OR_RETURN(value, Eval(*param.default_value));
      } else if (!given) {
        value = Value::Undefined(absl::StrCat("parameter '", param.name, "' of macro '", macro.name, "' was not given"));
      }
      frame->vars[param.name] = std::move(value);
    }
    // Jinja's varargs and kwargs hold what the parameters did not take; caller is the {% call %} body.
    std::vector<Value> extra;
    for (size_t i = macro.params.size(); i < args.positional.size(); ++i) extra.push_back(args.positional[i]);
    frame->vars["varargs"] = Value::NewTuple(std::move(extra));
    Value kwargs = Value::NewDict();
    for (size_t k = 0; k < args.named.size(); ++k) {
      if (named_used[k]) continue;
      if (args.named[k].first == "caller") {
        frame->vars["caller"] = args.named[k].second;
      } else {
        kwargs.dict().Set(args.named[k].first, args.named[k].second);
      }
    }
    frame->vars["kwargs"] = std::move(kwargs);
    return absl::OkStatus();
  }();
  frame_ = std::move(saved);
  TTT_RETURN_IF_ERROR(bound);
  TTT_ASSIGN_OR_RETURN(std::string text, RenderNested(macro.body, std::move(frame)));
  return Value::String(std::move(text));
}

absl::Status Evaluator::ExecCallBlock(const Stmt& stmt, std::string& out) {
  std::weak_ptr<Frame> scope = frame_;
  const Stmt* block = &stmt;
  Value caller = Value::Function("caller", [scope, block](Evaluator& ev, CallArgs& args) -> absl::StatusOr<Value> {
    std::shared_ptr<Frame> parent = scope.lock();
    if (!parent) return absl::FailedPreconditionError("caller() was called after its {% call %} block ended");
    auto frame = std::make_shared<Frame>(Frame{{}, std::move(parent)});
    for (size_t i = 0; i < block->params.size(); ++i) {
      frame->vars[block->params[i].name] = i < args.positional.size() ? args.positional[i] : Value();
    }
    TTT_ASSIGN_OR_RETURN(std::string text, ev.RenderNested(block->body, std::move(frame)));
    return Value::String(std::move(text));
  });
  TTT_ASSIGN_OR_RETURN(Value result, EvalCall(*stmt.expr, &caller));
  return Append(out, ToStr(result));
}

absl::StatusOr<Value> Evaluator::ApplyFilterChain(const std::vector<ExprPtr>& filters, Value input) {
  for (const ExprPtr& filter : filters) {
    TTT_ASSIGN_OR_RETURN(input, EvalFilter(*filter, std::move(input)));
  }
  return input;
}

}  // namespace ttt::chat
