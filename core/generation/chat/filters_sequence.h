// The filters that work on sequences: join, select/reject(attr), map, unique, sort, dictsort, items,
// reverse, sum, min, max. Split from filters.cc, which dispatches to them.
#pragma once

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "core/generation/chat/call_args.h"
#include "core/generation/chat/value.h"

namespace ttt::chat {

class Evaluator;

bool IsSequenceFilter(absl::string_view name);
absl::StatusOr<Value> ApplySequenceFilter(Evaluator& ev, absl::string_view name, const Value& input, ArgReader& args);

}  // namespace ttt::chat
