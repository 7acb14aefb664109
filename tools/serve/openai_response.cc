#include "tools/serve/openai_response.h"

namespace ttt::serve {
namespace {

using nlohmann::json;

std::vector<int> Bytes(const std::string& s) { return std::vector<int>(s.begin(), s.end()); }

// Token texts may hold half a UTF-8 character; JSON needs valid UTF-8, so such bytes become U+FFFD
// (the exact bytes are in the chat format's "bytes" field).
std::string Printable(const std::string& s) {
  return json::parse(json(s).dump(-1, ' ', false, json::error_handler_t::replace)).get<std::string>();
}

// Chat: {"content": [{"token", "logprob", "bytes", "top_logprobs": [...]}]}.
json ChatLogprobs(const ResponseContext& ctx, const std::vector<BatchToken>& tokens) {
  json content = json::array();
  for (const BatchToken& t : tokens) {
    const std::string piece = ctx.tokenizer->TokenPiece(t.token);
    json top = json::array();
    for (const TokenLogprob& alt : t.top) {
      const std::string p = ctx.tokenizer->TokenPiece(alt.token);
      top.push_back({{"token", Printable(p)}, {"logprob", alt.logprob}, {"bytes", Bytes(p)}});
    }
    content.push_back({{"token", Printable(piece)}, {"logprob", t.logprob}, {"bytes", Bytes(piece)},
                       {"top_logprobs", top}});
  }
  return {{"content", content}, {"refusal", nullptr}};
}

// Completions (legacy): parallel lists tokens, token_logprobs, top_logprobs (one {token: logprob} object each).
json CompletionLogprobs(const ResponseContext& ctx, const std::vector<BatchToken>& tokens, size_t offset) {
  json texts = json::array(), lps = json::array(), tops = json::array(), offsets = json::array();
  for (const BatchToken& t : tokens) {
    const std::string piece = Printable(ctx.tokenizer->TokenPiece(t.token));
    texts.push_back(piece);
    lps.push_back(t.logprob);
    json top = json::object();
    for (const TokenLogprob& alt : t.top) top[Printable(ctx.tokenizer->TokenPiece(alt.token))] = alt.logprob;
    tops.push_back(top);
    offsets.push_back(offset);
    offset += piece.size();
  }
  return {{"tokens", texts}, {"token_logprobs", lps}, {"top_logprobs", tops}, {"text_offset", offsets}};
}

json Envelope(const ResponseContext& ctx, bool chunk) {
  return {{"id", ctx.id},
          {"object", ctx.chat ? (chunk ? "chat.completion.chunk" : "chat.completion") : "text_completion"},
          {"created", ctx.created},
          {"model", ctx.model},
          {"system_fingerprint", "ttt"}};
}

}  // namespace

const char* FinishReason(StopReason reason) {
  switch (reason) {
    case StopReason::kEos:
    case StopReason::kStopString:
    case StopReason::kCancelled: return "stop";
    case StopReason::kBudget:
    case StopReason::kContextFull: return "length";
  }
  return "stop";
}

json Usage(const BatchOutcome& o) {
  // cached_tokens: prompt tokens whose keys and values were already in the slot's cache (OpenAI's field).
  return {{"prompt_tokens", o.prompt_tokens}, {"completion_tokens", o.completion_tokens},
          {"total_tokens", o.prompt_tokens + o.completion_tokens},
          {"prompt_tokens_details", {{"cached_tokens", o.cached_prompt_tokens}}}};
}

json StreamChunk(const ResponseContext& ctx, const std::string& text, const std::vector<BatchToken>& tokens,
                 bool first, const char* finish_reason) {
  json out = Envelope(ctx, true);
  json choice = {{"index", 0}, {"finish_reason", finish_reason ? json(finish_reason) : json(nullptr)}};
  json logprobs = nullptr;
  if (ctx.logprobs && !tokens.empty()) logprobs = ctx.chat ? ChatLogprobs(ctx, tokens) : CompletionLogprobs(ctx, tokens, 0);
  choice["logprobs"] = logprobs;
  if (ctx.chat) {
    json delta = json::object();
    if (first) delta["role"] = "assistant";
    if (!text.empty() || first) delta["content"] = text;
    choice["delta"] = delta;
  } else {
    choice["text"] = text;
  }
  out["choices"] = json::array({choice});
  return out;
}

json FullResponse(const ResponseContext& ctx, const std::string& text, const std::vector<BatchToken>& tokens,
                  const BatchOutcome& outcome) {
  json out = Envelope(ctx, false);
  json choice = {{"index", 0}, {"finish_reason", FinishReason(outcome.stop_reason)}};
  json logprobs = nullptr;
  if (ctx.logprobs) logprobs = ctx.chat ? ChatLogprobs(ctx, tokens) : CompletionLogprobs(ctx, tokens, 0);
  choice["logprobs"] = logprobs;
  if (ctx.chat) {
    choice["message"] = {{"role", "assistant"}, {"content", text}, {"refusal", nullptr}};
  } else {
    choice["text"] = text;
  }
  out["choices"] = json::array({choice});
  out["usage"] = Usage(outcome);
  return out;
}

}  // namespace ttt::serve
