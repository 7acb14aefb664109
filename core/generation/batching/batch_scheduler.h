// Continuous batching: many requests share one InferenceState of `slots` sequences and its decode steps.
// A request waits in a bounded queue until a slot is free, joins between two steps (its prompt prefilled a
// chunk per step, so a long prompt does not stall the others), decodes one token per step together with
// every other active slot (one batched CausalLm::Decode: the projections run as GEMMs over the batch), and
// leaves when it stops - by EOS, a stop string, its budget, or because it was cancelled, which frees its
// slot at the next step.
//
// A slot keeps its sequence's KV cache after the request leaves. A new request takes the free slot whose cache
// shares the longest prefix with its prompt (a chat's earlier turns, a common system prompt), keeps that prefix
// and prefills only the rest; with no shared prefix it takes the slot used least recently.
//
//   auto scheduler = BatchScheduler::Create(model, tokenizer, {.slots = 8});
//   (*scheduler)->Start();                                   // a thread runs the steps
//   auto id = (*scheduler)->Submit(request, sink);           // the sink gets each token, then the outcome
//
// Every sink call happens on the thread running Step(); a sink must not block for long (it holds up every
// slot) and must not call back into the scheduler except Cancel().
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "core/generation/generate.h"
#include "core/generation/sampler.h"
#include "core/patterns/causal_lm.h"
#include "core/tokenizers/tokenizer.h"

namespace ttt {

struct BatchRequest {
  std::vector<int32_t> prompt;  // token ids, BOS included when the model wants one; not empty
  int32_t max_new_tokens = 16;
  SamplingOptions sampling;
  std::vector<std::string> stop_strings;
  bool stop_at_eos = true;
  // Log-probabilities (natural log, of the model's own distribution: temperature 1, no top-p) of each chosen
  // token, and of the `top_logprobs` likeliest tokens at that position. Off when `logprobs` is false.
  bool logprobs = false;
  int32_t top_logprobs = 0;
};

struct TokenLogprob {
  int32_t token = 0;
  float logprob = 0;
};

// One generated token of a request.
struct BatchToken {
  int32_t token = 0;
  // Text that became ready with this token: complete UTF-8, never part of a stop string. Often empty (a
  // character split over tokens, text held back while it could still begin a stop string).
  std::string text;
  float logprob = 0;               // when the request asked for logprobs
  std::vector<TokenLogprob> top;   // likeliest first
};

struct BatchOutcome {
  absl::Status status;  // not OK when the request failed (the model refused its prompt, the scheduler stopped)
  StopReason stop_reason = StopReason::kBudget;
  std::string final_text;  // text held back until the end (also sent by no OnToken call)
  int32_t prompt_tokens = 0;
  int32_t cached_prompt_tokens = 0;  // of prompt_tokens, found in the slot's cache and not prefilled again
  int32_t completion_tokens = 0;
};

// Receives one request's tokens. Called on the stepping thread; OnDone exactly once, last.
class BatchSink {
 public:
  virtual ~BatchSink() = default;
  // Return false to cancel the request (its client went away): no further OnToken, then OnDone(kCancelled).
  virtual bool OnToken(const BatchToken& token) = 0;
  virtual void OnDone(const BatchOutcome& outcome) = 0;
  // Whether whoever consumes the tokens has handled the last one. Before a decode step the scheduler waits
  // (up to BatchSchedulerOptions::drain_wait) for every sink to drain: a decode step's threads spin on
  // every core, and a consumer thread woken in the middle of one stalls the whole team.
  virtual bool Drained() const { return true; }
};

struct BatchSchedulerOptions {
  int32_t slots = 4;        // sequences decoded together (--parallel)
  int64_t context = 0;      // KV-cache length of each slot; 0 = the model's max_seq_len
  int32_t max_queue = 64;   // requests waiting for a slot; more are refused (ResourceExhausted)
  int32_t prefill_tokens_per_step = 256;  // prompt tokens prefilled between two decode steps
  std::chrono::microseconds drain_wait{3000};  // the longest wait for sinks to drain before a step
  bool reuse_prefix = true;  // keep a slot's cache between requests and reuse the prompt prefix it holds
};

// What the scheduler has done since it was made, for /metrics.
struct BatchSchedulerStats {
  int64_t requests_submitted = 0;
  int64_t requests_rejected = 0;   // queue full
  int64_t requests_finished = 0;   // OnDone called (any reason)
  int64_t requests_cancelled = 0;
  int64_t prompt_tokens = 0;       // prefilled
  int64_t prompt_tokens_reused = 0;  // found in a slot's cache instead
  int64_t generated_tokens = 0;
  int64_t decode_steps = 0;
  double decode_seconds = 0;       // in CausalLm::Decode and sampling
  int32_t queue_depth = 0;         // waiting now
  int32_t active_slots = 0;        // holding a request now
  int32_t last_batch_size = 0;     // sequences in the last decode step
  double recent_tokens_per_second = 0;  // generated tokens/s over the last few seconds of decoding
};

class BatchScheduler {
 public:
  static absl::StatusOr<std::unique_ptr<BatchScheduler>> Create(const CausalLm& model,
                                                                const tokenizers::Tokenizer& tokenizer,
                                                                const BatchSchedulerOptions& options);
  ~BatchScheduler();  // stops the thread; requests still queued or running end with an error outcome

  // Checks the request and queues it. InvalidArgument: bad sampling options or an empty prompt;
  // OutOfRange: prompt + max_new_tokens exceed the context (the message gives the numbers);
  // ResourceExhausted: the queue is full; FailedPrecondition: stopped. Thread-safe.
  absl::StatusOr<uint64_t> Submit(BatchRequest request, std::shared_ptr<BatchSink> sink);
  // Cancels a queued or running request; its sink gets OnDone(kCancelled) at the next step. Thread-safe;
  // unknown or finished ids are ignored.
  void Cancel(uint64_t id);

  // One round: cancellations, queued requests into free slots, a chunk of prefill, one decode step over the
  // decoding slots, sampling. Returns whether any request is queued or running. Call from one thread only
  // (tests drive it directly; Start() runs it on its own thread).
  bool Step();
  void Start();
  // Stops the thread; every request queued or running ends with OnDone(status Cancelled).
  void Stop();

  BatchSchedulerStats stats() const;
  int64_t context() const { return context_; }
  int32_t slots() const { return static_cast<int32_t>(slots_.size()); }

 private:
  struct Pending {
    uint64_t id;
    BatchRequest request;
    std::shared_ptr<BatchSink> sink;
  };
  struct Slot;

  BatchScheduler(const CausalLm& model, const tokenizers::Tokenizer& tokenizer,
                 const BatchSchedulerOptions& options, std::unique_ptr<InferenceState> state);
  void Admit();
  // The free slot for `prompt` (longest cached prefix, else least recently used) and that prefix's length.
  std::pair<int32_t, size_t> ChooseSlot(const std::vector<int32_t>& prompt) const;
  void PrefillChunk();
  void DecodeStep();
  // Samples slot `s`'s next token from `logits` (with its logprobs); touches only that slot's sampler, so
  // slots pick in parallel.
  BatchToken Pick(int32_t s, const float* logits) const;
  // Hands a picked token to the slot's sink; finishes the slot when it stops.
  void Emit(int32_t s, BatchToken token);
  void Finish(int32_t s, StopReason reason, absl::Status status = absl::OkStatus());
  void RunLoop();
  // Until every decoding slot's sink has drained, or drain_wait has passed.
  void WaitForSinks();

  const CausalLm& model_;
  const tokenizers::Tokenizer& tokenizer_;
  BatchSchedulerOptions options_;
  int64_t context_;
  std::unique_ptr<InferenceState> state_;
  absl::flat_hash_set<int32_t> eos_;
  std::vector<std::unique_ptr<Slot>> slots_;
  // Per slot, the tokens whose keys and values its cache holds (kept after its request leaves), and the step
  // at which its last request left, for least-recently-used choice.
  std::vector<std::vector<int32_t>> cached_;
  std::vector<int64_t> freed_at_;
  int64_t rounds_ = 0;
  std::vector<float> logits_;  // [slots, vocab]
  std::vector<int32_t> step_slots_, step_tokens_;
  std::vector<BatchToken> picked_;

  mutable std::mutex mu_;
  std::condition_variable work_;
  std::deque<Pending> queue_;
  absl::flat_hash_set<uint64_t> cancelled_;
  uint64_t next_id_ = 1;
  bool stopping_ = false;
  BatchSchedulerStats stats_;
  std::thread thread_;
};

}  // namespace ttt
