#include "core/generation/batching/batch_scheduler.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numeric>

#include "absl/strings/str_cat.h"
#include "core/generation/batching/text_stream.h"
#include "core/runtime/status.h"
#include "core/runtime/spin_team.h"
#include "core/runtime/threading.h"

namespace ttt {

// A slot's request while it holds the slot.
struct BatchScheduler::Slot {
  uint64_t id = 0;
  BatchRequest request;
  std::shared_ptr<BatchSink> sink;
  std::optional<Sampler> sampler;
  std::optional<TextStream> text;
  std::vector<int32_t> history;  // prompt + generated, for the repetition penalty
  size_t prefilled = 0;          // prompt tokens in the cache
  size_t reused = 0;             // of those, found there when the request took the slot
  int32_t generated = 0;
  int32_t last_token = 0;
  bool busy() const { return sink != nullptr; }
  bool decoding() const { return busy() && prefilled == request.prompt.size(); }
};

namespace {

using Clock = std::chrono::steady_clock;
// How often WaitForSinks looks again: sleeping, not yielding, so the HTTP threads it waits for get the core.
constexpr std::chrono::microseconds kDrainPoll{50};

// Log-softmax of `logits` at `token` and the `top` likeliest tokens; O(vocab), only for requests that ask.
void Logprobs(absl::Span<const float> logits, int32_t token, int32_t top, BatchToken* out) {
  const float max = *std::max_element(logits.begin(), logits.end());
  double sum = 0;
  for (float l : logits) sum += std::exp(static_cast<double>(l - max));
  const float log_z = max + static_cast<float>(std::log(sum));
  out->logprob = logits[token] - log_z;
  top = std::min<int32_t>(top, static_cast<int32_t>(logits.size()));
  if (top <= 0) return;
  std::vector<int32_t> ids(logits.size());
  std::iota(ids.begin(), ids.end(), 0);
  auto likelier = [&](int32_t a, int32_t b) { return logits[a] > logits[b] || (logits[a] == logits[b] && a < b); };
  std::partial_sort(ids.begin(), ids.begin() + top, ids.end(), likelier);
  for (int32_t i = 0; i < top; ++i) out->top.push_back({ids[i], logits[ids[i]] - log_z});
}

}  // namespace

absl::StatusOr<std::unique_ptr<BatchScheduler>> BatchScheduler::Create(const CausalLm& model,
                                                                      const tokenizers::Tokenizer& tokenizer,
                                                                      const BatchSchedulerOptions& options) {
  if (options.slots < 1) return absl::InvalidArgumentError(absl::StrCat("slots ", options.slots, " must be >= 1"));
  if (options.max_queue < 0) {
    return absl::InvalidArgumentError(absl::StrCat("queue length ", options.max_queue, " must be >= 0"));
  }
  if (options.prefill_tokens_per_step < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("prefill tokens per step ", options.prefill_tokens_per_step, " must be >= 1"));
  }
  const int64_t max_len = model.spec().max_seq_len();
  if (options.context < 0 || options.context > max_len) {
    return absl::OutOfRangeError(absl::StrCat("context ", options.context, " is outside 0..", max_len,
                                              " (the model's max_seq_len; 0 uses it)"));
  }
  const int64_t context = options.context > 0 ? options.context : max_len;
  auto state = model.NewState(options.slots, context);
  if (!state.ok()) {
    return Annotate(state.status(), absl::StrCat(options.slots, " slots of ", context,
                                                 " tokens (try fewer slots or a shorter context)"));
  }
  return std::unique_ptr<BatchScheduler>(new BatchScheduler(model, tokenizer, options, *std::move(state)));
}

BatchScheduler::BatchScheduler(const CausalLm& model, const tokenizers::Tokenizer& tokenizer,
                               const BatchSchedulerOptions& options, std::unique_ptr<InferenceState> state)
    : model_(model), tokenizer_(tokenizer), options_(options), context_(state->max_seq_len()),
      state_(std::move(state)) {
  const auto& special = model.spec().special_tokens();
  eos_.insert(special.eos_ids().begin(), special.eos_ids().end());
  if (tokenizer.eos_id() >= 0) eos_.insert(tokenizer.eos_id());
  for (int32_t i = 0; i < options.slots; ++i) slots_.push_back(std::make_unique<Slot>());
  cached_.resize(options.slots);
  freed_at_.assign(options.slots, 0);
  logits_.resize(static_cast<size_t>(options.slots) * model.vocab_size());
}

BatchScheduler::~BatchScheduler() { Stop(); }

absl::StatusOr<uint64_t> BatchScheduler::Submit(BatchRequest request, std::shared_ptr<BatchSink> sink) {
  if (sink == nullptr) return absl::InvalidArgumentError("a request needs a sink for its tokens");
  TTT_RETURN_IF_ERROR(ValidateSamplingOptions(request.sampling));
  if (request.prompt.empty()) return absl::InvalidArgumentError("the prompt has no tokens");
  if (request.max_new_tokens < 0) {
    return absl::InvalidArgumentError(absl::StrCat("max tokens ", request.max_new_tokens, " must be >= 0"));
  }
  const int64_t vocab = model_.vocab_size();
  for (int32_t t : request.prompt) {
    if (t < 0 || t >= vocab) {
      return absl::InvalidArgumentError(absl::StrCat("prompt token ", t, " is outside the vocabulary of ", vocab));
    }
  }
  const int64_t asked = static_cast<int64_t>(request.prompt.size()) + request.max_new_tokens;
  if (asked > context_) {
    return absl::OutOfRangeError(absl::StrCat(
        "this model's context is ", context_, " tokens, but ", asked, " were requested (", request.prompt.size(),
        " in the prompt, ", request.max_new_tokens, " to generate): shorten the prompt or lower max_tokens"));
  }
  std::lock_guard<std::mutex> lock(mu_);
  if (stopping_) return absl::FailedPreconditionError("the scheduler is stopping");
  // Room: every slot, plus max_queue waiting (queued requests take free slots at the next step).
  if (static_cast<int64_t>(queue_.size()) + stats_.active_slots >= static_cast<int64_t>(slots_.size()) + options_.max_queue) {
    ++stats_.requests_rejected;
    return absl::ResourceExhaustedError(absl::StrCat("all ", slots_.size(), " slots are busy and ", queue_.size(),
                                                     " requests are waiting: retry shortly"));
  }
  const uint64_t id = next_id_++;
  queue_.push_back({id, std::move(request), std::move(sink)});
  stats_.queue_depth = static_cast<int32_t>(queue_.size());
  ++stats_.requests_submitted;
  work_.notify_all();
  return id;
}

void BatchScheduler::Cancel(uint64_t id) {
  std::lock_guard<std::mutex> lock(mu_);
  cancelled_.insert(id);
  work_.notify_all();
}

void BatchScheduler::Finish(int32_t s, StopReason reason, absl::Status status) {
  Slot& slot = *slots_[s];
  BatchOutcome outcome;
  outcome.status = std::move(status);
  outcome.stop_reason = reason;
  if (slot.text) outcome.final_text = std::string(slot.text->TakeReady(/*final=*/true));
  outcome.prompt_tokens = static_cast<int32_t>(slot.request.prompt.size());
  outcome.cached_prompt_tokens = static_cast<int32_t>(slot.reused);
  outcome.completion_tokens = slot.generated;
  std::shared_ptr<BatchSink> sink = std::move(slot.sink);
  {
    std::lock_guard<std::mutex> lock(mu_);
    ++stats_.requests_finished;
    if (reason == StopReason::kCancelled) ++stats_.requests_cancelled;
    --stats_.active_slots;
    freed_at_[s] = rounds_;
    // The cache holds the history up to the state's length (the last picked token was never decoded). After
    // a failed step what it holds is not known: forget it.
    if (options_.reuse_prefix && outcome.status.ok()) {
      const size_t kept = std::min<size_t>(state_->length(s), slot.history.size());
      cached_[s].assign(slot.history.begin(), slot.history.begin() + static_cast<std::ptrdiff_t>(kept));
    } else {
      cached_[s].clear();
      state_->Reset(s);
    }
  }
  slots_[s] = std::make_unique<Slot>();  // (TextStream holds a reference: not assignable)
  sink->OnDone(outcome);
}

void BatchScheduler::Admit() {
  std::vector<Pending> cancelled_waiting;
  std::vector<int32_t> cancelled_running;
  {
    std::lock_guard<std::mutex> lock(mu_);
    // Cancelled while waiting: never admitted.
    for (auto it = queue_.begin(); it != queue_.end();) {
      if (cancelled_.contains(it->id)) {
        cancelled_.erase(it->id);
        cancelled_waiting.push_back(std::move(*it));
        it = queue_.erase(it);
      } else {
        ++it;
      }
    }
    while (!queue_.empty()) {
      const auto [s, shared] = ChooseSlot(queue_.front().request.prompt);
      if (s < 0) break;
      Slot& slot = *slots_[s];
      Pending p = std::move(queue_.front());
      queue_.pop_front();
      if (shared == 0) {
        state_->Reset(s);
      } else {
        state_->Truncate(s, static_cast<int64_t>(shared));
      }
      cached_[s].resize(shared);  // rewritten when the request leaves
      slot.prefilled = slot.reused = shared;
      stats_.prompt_tokens_reused += static_cast<int64_t>(shared);
      slot.id = p.id;
      slot.request = std::move(p.request);
      slot.sink = std::move(p.sink);
      slot.sampler.emplace(slot.request.sampling);
      slot.text.emplace(tokenizer_, slot.request.stop_strings, slot.request.prompt.back());
      slot.history = slot.request.prompt;
      ++stats_.active_slots;
    }
    stats_.queue_depth = static_cast<int32_t>(queue_.size());
    // Cancelled while running: the slot is freed now, before the step spends time on it. Every id left is
    // then of a finished or unknown request; a Cancel arriving later is seen at the next step.
    for (size_t s = 0; s < slots_.size(); ++s) {
      if (slots_[s]->busy() && cancelled_.contains(slots_[s]->id)) cancelled_running.push_back(static_cast<int32_t>(s));
    }
    cancelled_.clear();
  }
  for (Pending& p : cancelled_waiting) {
    BatchOutcome outcome;
    outcome.stop_reason = StopReason::kCancelled;
    outcome.prompt_tokens = static_cast<int32_t>(p.request.prompt.size());
    {
      std::lock_guard<std::mutex> lock(mu_);
      ++stats_.requests_finished;
      ++stats_.requests_cancelled;
    }
    p.sink->OnDone(outcome);
  }
  for (int32_t s : cancelled_running) Finish(s, StopReason::kCancelled);
}

std::pair<int32_t, size_t> BatchScheduler::ChooseSlot(const std::vector<int32_t>& prompt) const {
  int32_t best = -1;
  size_t best_shared = 0;
  for (size_t s = 0; s < slots_.size(); ++s) {
    if (slots_[s]->busy()) continue;
    // At least the prompt's last token is prefilled again: its logits give the first new token.
    const std::vector<int32_t>& cached = cached_[s];
    const size_t limit = std::min(cached.size(), prompt.size() - 1);
    size_t shared = 0;
    while (shared < limit && cached[shared] == prompt[shared]) ++shared;
    const bool better = best < 0 || shared > best_shared ||
                        (shared == best_shared && freed_at_[s] < freed_at_[best]);
    if (better) {
      best = static_cast<int32_t>(s);
      best_shared = shared;
    }
  }
  return {best, best_shared};
}

void BatchScheduler::PrefillChunk() {
  int64_t budget = options_.prefill_tokens_per_step;
  const int64_t vocab = model_.vocab_size();
  for (size_t s = 0; s < slots_.size() && budget > 0; ++s) {
    Slot& slot = *slots_[s];
    if (!slot.busy() || slot.decoding()) continue;
    const auto& prompt = slot.request.prompt;
    const size_t n = std::min<size_t>(prompt.size() - slot.prefilled, budget);
    float* logits = logits_.data() + s * vocab;
    absl::Status status = model_.Prefill(*state_, static_cast<int64_t>(s),
                                         absl::MakeConstSpan(prompt.data() + slot.prefilled, n), logits, false);
    if (!status.ok()) {
      Finish(static_cast<int32_t>(s), StopReason::kCancelled, status);
      continue;
    }
    slot.prefilled += n;
    budget -= static_cast<int64_t>(n);
    {
      std::lock_guard<std::mutex> lock(mu_);
      stats_.prompt_tokens += static_cast<int64_t>(n);
    }
    if (!slot.decoding()) continue;
    if (slot.request.max_new_tokens == 0) {
      Finish(static_cast<int32_t>(s), StopReason::kBudget);
      continue;
    }
    Emit(static_cast<int32_t>(s), Pick(static_cast<int32_t>(s), logits));  // from the prompt's last logits
  }
}

BatchToken BatchScheduler::Pick(int32_t s, const float* logits) const {
  Slot& slot = *slots_[s];
  const auto row = absl::MakeConstSpan(logits, model_.vocab_size());
  BatchToken out;
  out.token = slot.sampler->Sample(row, slot.history);
  if (slot.request.logprobs) Logprobs(row, out.token, slot.request.top_logprobs, &out);
  return out;
}

void BatchScheduler::Emit(int32_t s, BatchToken out) {
  Slot& slot = *slots_[s];
  if (slot.request.stop_at_eos && eos_.contains(out.token)) return Finish(s, StopReason::kEos);
  ++slot.generated;
  slot.last_token = out.token;
  slot.history.push_back(out.token);
  const bool stopped = slot.text->Append(out.token);
  out.text = std::string(slot.text->TakeReady(/*final=*/false));
  {
    std::lock_guard<std::mutex> lock(mu_);
    ++stats_.generated_tokens;
  }
  if (!slot.sink->OnToken(out)) return Finish(s, StopReason::kCancelled);
  if (stopped) return Finish(s, StopReason::kStopString);
  if (slot.generated >= slot.request.max_new_tokens) return Finish(s, StopReason::kBudget);
  // Submit checked prompt + budget against the context, so the cache has room for the next token.
}

void BatchScheduler::DecodeStep() {
  step_slots_.clear();
  step_tokens_.clear();
  for (size_t s = 0; s < slots_.size(); ++s) {
    if (!slots_[s]->decoding()) continue;
    step_slots_.push_back(static_cast<int32_t>(s));
    step_tokens_.push_back(slots_[s]->last_token);
  }
  if (step_slots_.empty()) return;
  WaitForSinks();
  const auto start = Clock::now();
  absl::Status status = model_.Decode(*state_, step_slots_, step_tokens_, logits_.data());
  if (!status.ok()) {
    for (int32_t s : step_slots_) Finish(s, StopReason::kCancelled, status);
    return;
  }
  // Sampling (and logprobs) read the whole vocabulary for each slot, ~0.4 ms at 49k tokens: the slots'
  // samplers are independent, so they run in parallel; handing tokens to the sinks stays in slot order.
  const int64_t vocab = model_.vocab_size();
  const int batch = static_cast<int>(step_slots_.size());
  picked_.resize(batch);
  if (SpinTeam* team = SpinTeam::Current(); team != nullptr && batch > 1) {  // the loop's team (RunLoop)
    team->Run([&](int id) {
      for (int b = id; b < batch; b += team->size()) picked_[b] = Pick(step_slots_[b], logits_.data() + b * vocab);
    });
  } else {
#pragma omp parallel for schedule(static, 1) num_threads(std::max(1, std::min(batch, NumThreads()))) if (batch > 1)
    for (int b = 0; b < batch; ++b) picked_[b] = Pick(step_slots_[b], logits_.data() + b * vocab);
  }
  for (int b = 0; b < batch; ++b) Emit(step_slots_[b], std::move(picked_[b]));
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  std::lock_guard<std::mutex> lock(mu_);
  ++stats_.decode_steps;
  stats_.decode_seconds += seconds;
  stats_.last_batch_size = static_cast<int32_t>(step_slots_.size());
  // An exponential average over steps, weighted by time so it covers about the last two seconds.
  const double rate = static_cast<double>(step_slots_.size()) / std::max(seconds, 1e-9);
  const double w = std::min(1.0, seconds / 2.0);
  stats_.recent_tokens_per_second =
      stats_.recent_tokens_per_second == 0 ? rate : (1 - w) * stats_.recent_tokens_per_second + w * rate;
}

void BatchScheduler::WaitForSinks() {
  const auto until = Clock::now() + options_.drain_wait;
  for (int32_t s : step_slots_) {
    while (!slots_[s]->sink->Drained() && Clock::now() < until) std::this_thread::sleep_for(kDrainPoll);
  }
}

bool BatchScheduler::Step() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    ++rounds_;
  }
  Admit();
  PrefillChunk();
  DecodeStep();
  std::lock_guard<std::mutex> lock(mu_);
  return !queue_.empty() || stats_.active_slots > 0;
}

void BatchScheduler::RunLoop() {
  // One thread team for the life of the loop, not one per decode step. When an OpenMP region ends, libgomp's
  // idle threads may spin (GOMP_SPINCOUNT) before they sleep, on cores the HTTP threads need between steps; the
  // team's workers sleep after a short spin (core/runtime/spin_team.h). The steps' ops, and the sampling below,
  // run on it. (Measured with ttt serve-bench: the 8-client / 1-client ratio did not change, README.)
  SpinTeam::Hold(NumThreads(), [&] {
    while (true) {
      {
        std::unique_lock<std::mutex> lock(mu_);
        work_.wait(lock,
                   [&] { return stopping_ || !queue_.empty() || stats_.active_slots > 0 || !cancelled_.empty(); });
        if (stopping_) return;
      }
      Step();
    }
  });
}

void BatchScheduler::Start() {
  std::lock_guard<std::mutex> lock(mu_);
  if (thread_.joinable() || stopping_) return;
  thread_ = std::thread([this] { RunLoop(); });
}

void BatchScheduler::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
    work_.notify_all();
  }
  if (thread_.joinable()) thread_.join();
  const absl::Status stopped = absl::CancelledError("the server is shutting down");
  for (size_t s = 0; s < slots_.size(); ++s) {
    if (slots_[s]->busy()) Finish(static_cast<int32_t>(s), StopReason::kCancelled, stopped);
  }
  std::deque<Pending> waiting;
  {
    std::lock_guard<std::mutex> lock(mu_);
    waiting.swap(queue_);
    stats_.queue_depth = 0;
  }
  for (Pending& p : waiting) {
    BatchOutcome outcome;
    outcome.status = stopped;
    outcome.stop_reason = StopReason::kCancelled;
    p.sink->OnDone(outcome);
  }
}

BatchSchedulerStats BatchScheduler::stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stats_;
}

}  // namespace ttt
