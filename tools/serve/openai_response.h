// OpenAI's response bodies for completions and chat completions: whole, or as the chunks of a stream.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/generation/batching/batch_scheduler.h"
#include "core/tokenizers/tokenizer.h"
#include "nlohmann/json.hpp"

namespace ttt::serve {

struct ResponseContext {
  bool chat = false;
  std::string id;  // "cmpl-..." / "chatcmpl-..."
  int64_t created = 0;
  std::string model;
  const tokenizers::Tokenizer* tokenizer = nullptr;  // token texts for logprobs
  bool logprobs = false;
};

// "stop" (EOS, a stop string) or "length" (budget, context).
const char* FinishReason(StopReason reason);
nlohmann::json Usage(const BatchOutcome& outcome);
// One stream chunk: `text` as the delta (chat: `first` adds the assistant role), the tokens' logprobs, the
// finish reason on the last.
nlohmann::json StreamChunk(const ResponseContext& ctx, const std::string& text, const std::vector<BatchToken>& tokens,
                           bool first, const char* finish_reason);
nlohmann::json FullResponse(const ResponseContext& ctx, const std::string& text, const std::vector<BatchToken>& tokens,
                            const BatchOutcome& outcome);

}  // namespace ttt::serve
