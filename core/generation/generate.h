// Text generation over a CausalLm: a batch of prompts is prefilled, then decoded together one token per
// sequence per step, each with its own seeded sampler, until EOS, a stop string or the token budget.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "core/generation/kv_policy.h"
#include "core/generation/sampler.h"
#include "core/patterns/causal_lm.h"
#include "core/tokenizers/tokenizer.h"

namespace ttt {

// One sequence's KV cache kept between Generate calls (a chat's turns): a prompt that begins with tokens
// already cached prefills only what follows them. Generate creates the state on first use (twice the first
// call's context, capped at the model's, to leave room for the next turns) and again when a prompt outgrows it.
struct KvSession {
  std::unique_ptr<InferenceState> state;
  std::vector<int32_t> cached;  // the tokens whose keys and values slot 0 of `state` holds, in order
};

struct GenerationOptions {
  int32_t max_new_tokens = 128;
  SamplingOptions sampling;            // sequence i uses seed + i
  std::vector<std::string> stop_strings;
  bool stop_at_eos = true;
  std::optional<bool> add_bos;         // default: the model's special_tokens.add_bos
  int64_t context = 0;                 // KV-cache length; 0 = prompt + budget, capped at the model's
  // What a sequence whose cache is full does: null stops it (kContextFull); a policy (kv_policy.h) compacts
  // its cache so it goes on past the context in the same memory. Checked before any token: the model must
  // allow compaction (CausalLm::CheckKvCompaction) and the policy the context.
  std::shared_ptr<const KvPolicy> kv_policy;
  // Reuse the cache of earlier calls: one prompt only, and no kv_policy (compaction moves the cached rows).
  KvSession* session = nullptr;
};

enum class StopReason { kEos, kStopString, kBudget, kContextFull, kCancelled };
const char* StopReasonName(StopReason reason);

struct GenerationResult {
  std::vector<int32_t> prompt_tokens;
  std::vector<int32_t> tokens;  // generated (EOS not included)
  std::string text;             // decoded generated text, cut before a stop string
  StopReason stop_reason = StopReason::kBudget;
  double prefill_seconds = 0;
  double decode_seconds = 0;
  int32_t kv_compactions = 0;  // times options.kv_policy compacted this sequence's cache
  int64_t evicted_tokens = 0;  // cache rows those compactions dropped
  int64_t reused_prompt_tokens = 0;  // prompt tokens found in options.session's cache, not prefilled again
};

// Called with each new piece of complete UTF-8 text of sequence `index`; return false to stop it.
using TextCallback = std::function<bool(size_t index, std::string_view text)>;

absl::StatusOr<std::vector<GenerationResult>> Generate(const CausalLm& model, const tokenizers::Tokenizer& tokenizer,
                                                       const std::vector<std::string>& prompts,
                                                       const GenerationOptions& options,
                                                       const TextCallback& on_text = nullptr);

}  // namespace ttt
