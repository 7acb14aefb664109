#include "python/src/generation.h"

#include <algorithm>
#include <mutex>

#include "core/runtime/status.h"

namespace ttt::python {

// Filled on the stepping thread, which is the caller's (Step is driven from Next), so it needs no lock.
struct Generation::Sink : BatchSink {
  std::deque<StreamedToken> ready;
  std::optional<BatchOutcome> outcome;

  bool OnToken(const BatchToken& token) override {
    ready.push_back({token.token, token.text});
    return true;
  }
  void OnDone(const BatchOutcome& done) override {
    if (!done.final_text.empty()) ready.push_back({std::nullopt, done.final_text});
    outcome = done;
  }
};

absl::StatusOr<std::unique_ptr<Generation>> Generation::Start(std::shared_ptr<ModelHandle> model,
                                                              BatchRequest request, int64_t context) {
  if (context < 0) return absl::InvalidArgumentError("context must be >= 0 (0: prompt + max_tokens)");
  if (request.max_new_tokens < 0) return absl::InvalidArgumentError("max_tokens must be >= 0");
  const int64_t model_context = model->model().spec().max_seq_len();
  if (context == 0) {
    context = std::min<int64_t>(model_context, static_cast<int64_t>(request.prompt.size()) + request.max_new_tokens);
  }
  TTT_ASSIGN_OR_RETURN(const tokenizers::Tokenizer* tokenizer, model->RequireTokenizer());
  std::unique_ptr<Generation> g(new Generation());
  g->model_ = model;
  g->prompt_ = request.prompt;
  g->sink_ = std::make_shared<Sink>();
  TTT_ASSIGN_OR_RETURN(g->scheduler_,
                       BatchScheduler::Create(model->model(), *tokenizer, {.slots = 1, .context = context}));
  TTT_RETURN_IF_ERROR(g->scheduler_->Submit(std::move(request), g->sink_).status());
  return g;
}

absl::StatusOr<std::optional<StreamedToken>> Generation::Next() {
  std::lock_guard<std::mutex> next_lock(mutex_);
  while (sink_->ready.empty() && !sink_->outcome) {
    std::lock_guard<std::mutex> lock(model_->compute_mutex());
    if (!scheduler_->Step() && !sink_->outcome) {
      return absl::InternalError("the scheduler finished the request without an outcome");
    }
  }
  if (!sink_->ready.empty()) {
    StreamedToken next = std::move(sink_->ready.front());
    sink_->ready.pop_front();
    if (next.id) tokens_.push_back(*next.id);
    text_ += next.text;
    return next;
  }
  finished_ = true;
  TTT_RETURN_IF_ERROR(sink_->outcome->status);
  return std::nullopt;
}

std::string Generation::stop_reason() const {
  return finished_ ? StopReasonName(sink_->outcome->stop_reason) : "";
}

}  // namespace ttt::python
