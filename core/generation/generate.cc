#include "core/generation/generate.h"

#include <algorithm>
#include <chrono>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "core/generation/batching/text_stream.h"
#include "core/runtime/status.h"

namespace ttt {
namespace {

double Seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

// One sequence being generated: its text (cut at stop strings, streamed as it becomes final) and why it
// stopped.
struct Sequence {
  GenerationResult result;
  std::vector<int32_t> history;  // prompt + generated, for the repetition penalty
  std::optional<TextStream> text;
  bool done = false;
};

}  // namespace

const char* StopReasonName(StopReason reason) {
  switch (reason) {
    case StopReason::kEos: return "eos";
    case StopReason::kStopString: return "stop-string";
    case StopReason::kBudget: return "budget";
    case StopReason::kContextFull: return "context-full";
    case StopReason::kCancelled: return "cancelled";
  }
  return "unknown";
}

absl::StatusOr<std::vector<GenerationResult>> Generate(const CausalLm& model, const tokenizers::Tokenizer& tokenizer,
                                                       const std::vector<std::string>& prompts,
                                                       const GenerationOptions& options, const TextCallback& on_text) {
  TTT_RETURN_IF_ERROR(ValidateSamplingOptions(options.sampling));
  if (prompts.empty()) return absl::InvalidArgumentError("no prompt to generate from");
  if (options.max_new_tokens < 0) return absl::InvalidArgumentError("the token budget must be >= 0");
  const spec::ModelSpec& spec = model.spec();
  const bool add_bos = options.add_bos.value_or(spec.special_tokens().add_bos());
  absl::flat_hash_set<int32_t> eos(spec.special_tokens().eos_ids().begin(), spec.special_tokens().eos_ids().end());
  if (tokenizer.eos_id() >= 0) eos.insert(tokenizer.eos_id());

  std::vector<Sequence> seqs(prompts.size());
  size_t longest_prompt = 0;
  for (size_t i = 0; i < prompts.size(); ++i) {
    auto ids = tokenizer.Encode(prompts[i], add_bos);
    if (!ids.ok()) return Annotate(ids.status(), absl::StrCat("prompt ", i));
    if (ids->empty()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "prompt ", i, " is empty and the model adds no BOS token: give a prompt"));
    }
    seqs[i].result.prompt_tokens = *ids;
    seqs[i].history = *ids;
    seqs[i].text.emplace(tokenizer, options.stop_strings, ids->back());
    longest_prompt = std::max(longest_prompt, ids->size());
  }
  int64_t context = options.context > 0 ? options.context
                                        : static_cast<int64_t>(longest_prompt) + options.max_new_tokens;
  context = std::min<int64_t>(context, spec.max_seq_len());
  // With a KV-cache policy a longer prompt is prefilled in pieces, the policy making room between them.
  if (static_cast<int64_t>(longest_prompt) > context && options.kv_policy == nullptr) {
    return absl::OutOfRangeError(absl::StrCat("a prompt of ", longest_prompt, " tokens does not fit the context of ",
                                              context, ": shorten it, or give a KV-cache policy that evicts "
                                              "(--kv-policy sinks:4)"));
  }
  if (options.kv_policy != nullptr) {
    const std::string where = absl::StrCat("KV-cache policy ", options.kv_policy->Describe());
    TTT_RETURN_IF_ERROR(Annotate(model.CheckKvCompaction(), where));
    TTT_RETURN_IF_ERROR(Annotate(options.kv_policy->Check(context), where));
  }
  KvSession* session = options.session;
  if (session != nullptr && (prompts.size() != 1 || options.kv_policy != nullptr)) {
    return absl::InvalidArgumentError(prompts.size() != 1
                                          ? "a KV session holds one sequence: give one prompt"
                                          : "a KV session and a KV-cache policy cannot be combined: compaction "
                                            "moves the cached rows");
  }
  std::unique_ptr<InferenceState> fresh;
  InferenceState* state = nullptr;
  if (session != nullptr && session->state != nullptr && session->state->max_seq_len() >= context) {
    state = session->state.get();
    // The longest cached prefix of the prompt, leaving at least its last token to prefill (its logits
    // give the first new token).
    const std::vector<int32_t>& prompt = seqs[0].result.prompt_tokens;
    size_t shared = 0;
    const size_t limit = std::min({session->cached.size(), prompt.empty() ? size_t{0} : prompt.size() - 1,
                                   static_cast<size_t>(state->length(0))});
    while (shared < limit && session->cached[shared] == prompt[shared]) ++shared;
    state->Truncate(0, static_cast<int64_t>(shared));
    session->cached.resize(shared);  // what stays true if this call fails before it records its own
    seqs[0].result.reused_prompt_tokens = static_cast<int64_t>(shared);
  } else {
    const int64_t planned = session != nullptr && options.context <= 0
                                ? std::min<int64_t>(2 * context, spec.max_seq_len())
                                : context;
    TTT_ASSIGN_OR_RETURN(fresh, model.NewState(static_cast<int64_t>(prompts.size()), planned));
    state = fresh.get();
    if (session != nullptr) {
      session->state = std::move(fresh);
      session->cached.clear();
    }
  }

  const int64_t vocab = model.vocab_size();
  std::vector<float> logits(prompts.size() * vocab);
  std::vector<Sampler> samplers;
  for (size_t i = 0; i < prompts.size(); ++i) {
    SamplingOptions o = options.sampling;
    o.seed += i;
    samplers.emplace_back(o);
  }

  // Hands the callback newly final text (TextStream holds back what could still become a stop string).
  auto flush = [&](size_t i, bool final) {
    Sequence& s = seqs[i];
    std::string_view ready = s.text->TakeReady(final);
    if (!ready.empty() && on_text && !on_text(i, ready) && !s.done) {
      s.done = true;
      s.result.stop_reason = StopReason::kCancelled;
    }
  };
  // A full cache: the policy's compaction frees rows, or the sequence stops (false; also when the policy
  // keeps every row).
  absl::Status compaction_error;
  auto make_room = [&](size_t i) {
    if (options.kv_policy == nullptr) return false;
    const int64_t slot = static_cast<int64_t>(i), length = state->length(slot);
    const std::vector<int64_t> keep = options.kv_policy->RowsToKeep(length, state->max_seq_len());
    if (static_cast<int64_t>(keep.size()) >= length) return false;
    compaction_error = Annotate(model.CompactKvCache(*state, slot, keep),
                                absl::StrCat("KV-cache policy ", options.kv_policy->Describe(), ", sequence ", i));
    if (!compaction_error.ok()) return false;
    ++seqs[i].result.kv_compactions;
    seqs[i].result.evicted_tokens += length - static_cast<int64_t>(keep.size());
    return true;
  };
  // Records a sampled token; returns true when the sequence goes on.
  auto accept = [&](size_t i, int32_t token) {
    Sequence& s = seqs[i];
    if (options.stop_at_eos && eos.contains(token)) {
      s.done = true;
      s.result.stop_reason = StopReason::kEos;
      return false;
    }
    s.result.tokens.push_back(token);
    s.history.push_back(token);
    if (s.text->Append(token)) {
      s.done = true;
      s.result.stop_reason = StopReason::kStopString;
      return false;
    }
    if (static_cast<int32_t>(s.result.tokens.size()) >= options.max_new_tokens) {
      s.done = true;
      s.result.stop_reason = StopReason::kBudget;
      return false;
    }
    if (state->length(static_cast<int64_t>(i)) >= state->max_seq_len() && !make_room(i)) {
      s.done = true;
      s.result.stop_reason = StopReason::kContextFull;
      return false;
    }
    flush(i, false);
    return !s.done;
  };

  for (size_t i = 0; i < seqs.size(); ++i) {
    auto start = std::chrono::steady_clock::now();
    const std::vector<int32_t>& prompt = seqs[i].result.prompt_tokens;
    for (size_t done = static_cast<size_t>(seqs[i].result.reused_prompt_tokens); done < prompt.size();) {
      const int64_t room = state->max_seq_len() - state->length(static_cast<int64_t>(i));
      if (room == 0) {
        if (make_room(i)) continue;
        TTT_RETURN_IF_ERROR(compaction_error);
        return absl::OutOfRangeError(absl::StrCat("prompt ", i, " (", prompt.size(), " tokens) does not fit the context of ",
                                                  context, ": the KV-cache policy frees no row"));
      }
      const size_t n = std::min(prompt.size() - done, static_cast<size_t>(room));
      TTT_RETURN_IF_ERROR(model.Prefill(*state, static_cast<int64_t>(i), absl::MakeConstSpan(prompt.data() + done, n),
                                        logits.data() + i * vocab, /*all_logits=*/false));
      done += n;
    }
    seqs[i].result.prefill_seconds = Seconds(start);
    if (options.max_new_tokens == 0) {
      seqs[i].done = true;
      continue;
    }
    int32_t token = samplers[i].Sample(absl::MakeConstSpan(logits.data() + i * vocab, vocab), seqs[i].history);
    accept(i, token);
    TTT_RETURN_IF_ERROR(compaction_error);
  }

  std::vector<int32_t> slots, tokens;
  while (true) {
    slots.clear();
    tokens.clear();
    for (size_t i = 0; i < seqs.size(); ++i) {
      if (seqs[i].done) continue;
      slots.push_back(static_cast<int32_t>(i));
      tokens.push_back(seqs[i].result.tokens.back());
    }
    if (slots.empty()) break;
    auto start = std::chrono::steady_clock::now();
    TTT_RETURN_IF_ERROR(model.Decode(*state, slots, tokens, logits.data()));
    double elapsed = Seconds(start);
    for (size_t b = 0; b < slots.size(); ++b) {
      const size_t i = slots[b];
      seqs[i].result.decode_seconds += elapsed;
      int32_t token = samplers[i].Sample(absl::MakeConstSpan(logits.data() + b * vocab, vocab), seqs[i].history);
      accept(i, token);
      TTT_RETURN_IF_ERROR(compaction_error);
    }
  }

  if (session != nullptr) {  // the cache holds the history up to its length (the last token is not decoded)
    const std::vector<int32_t>& history = seqs[0].history;
    session->cached.assign(history.begin(), history.begin() + std::min<int64_t>(state->length(0), history.size()));
  }
  std::vector<GenerationResult> results;
  for (size_t i = 0; i < seqs.size(); ++i) {
    flush(i, true);
    seqs[i].result.text = seqs[i].text->text();
    results.push_back(std::move(seqs[i].result));
  }
  return results;
}

}  // namespace ttt
