// The body of POST /v1/completions and /v1/chat/completions, read field by field with OpenAI's types and
// defaults (temperature 1, top_p 1), so that a wrong field is an error naming it rather than a surprise.
#pragma once

#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "core/generation/chat/chat_template.h"
#include "nlohmann/json.hpp"
#include "tools/serve/api_error.h"

namespace ttt::serve {

struct CompletionRequest {
  bool chat = false;
  std::string model;
  std::string prompt;                 // /v1/completions: the text
  std::vector<int32_t> prompt_ids;    // /v1/completions: or token ids
  std::vector<ChatMessage> messages;  // /v1/chat/completions
  std::optional<int32_t> max_tokens;  // unset: up to the context
  float temperature = 1.0f;
  float top_p = 1.0f;
  std::optional<uint64_t> seed;
  std::vector<std::string> stop;
  bool stream = false;
  bool include_usage = false;  // stream_options.include_usage
  bool logprobs = false;
  int32_t top_logprobs = 0;    // chat: top_logprobs; completions: the integer `logprobs`
  bool ignore_eos = false;     // an extension (llama.cpp's too): generate max_tokens whatever comes, for benchmarks
};

// `body` is the parsed JSON; on error the ApiError names the field.
std::variant<CompletionRequest, ApiError> ParseCompletionRequest(const nlohmann::json& body, bool chat);

}  // namespace ttt::serve
