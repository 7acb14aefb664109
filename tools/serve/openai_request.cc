#include "tools/serve/openai_request.h"

#include "absl/strings/str_cat.h"

namespace ttt::serve {
namespace {

using nlohmann::json;

// The text of a message's content: a string, or a list of parts of which the "text" ones count.
std::optional<std::string> ContentText(const json& content) {
  if (content.is_null()) return std::string();
  if (content.is_string()) return content.get<std::string>();
  if (!content.is_array()) return std::nullopt;
  std::string text;
  for (const json& part : content) {
    if (!part.is_object() || part.value("type", "") != "text" || !part.contains("text") || !part["text"].is_string()) {
      return std::nullopt;
    }
    text += part["text"].get<std::string>();
  }
  return text;
}

std::optional<ApiError> ReadNumber(const json& body, const char* name, double low, double high, float* out) {
  if (!body.contains(name) || body[name].is_null()) return std::nullopt;
  if (!body[name].is_number()) return InvalidRequest(absl::StrCat("'", name, "' must be a number"), name);
  const double v = body[name].get<double>();
  if (!(v >= low && v <= high)) {
    return InvalidRequest(absl::StrCat("'", name, "' is ", v, "; it must be between ", low, " and ", high), name);
  }
  *out = static_cast<float>(v);
  return std::nullopt;
}

std::optional<ApiError> ReadPrompt(const json& body, CompletionRequest* r) {
  if (!body.contains("prompt")) return InvalidRequest("'prompt' is required", "prompt");
  const json& p = body["prompt"];
  if (p.is_string()) {
    r->prompt = p.get<std::string>();
    return std::nullopt;
  }
  // A list of one string, or of token ids (a list of several prompts would need n results: refused).
  if (p.is_array() && p.size() == 1 && p[0].is_string()) {
    r->prompt = p[0].get<std::string>();
    return std::nullopt;
  }
  if (p.is_array() && !p.empty() && p[0].is_number_integer()) {
    for (const json& id : p) {
      if (!id.is_number_integer()) return InvalidRequest("'prompt' mixes token ids with other values", "prompt");
      r->prompt_ids.push_back(id.get<int32_t>());
    }
    return std::nullopt;
  }
  return InvalidRequest("'prompt' must be a string, a list of one string, or a list of token ids", "prompt");
}

std::optional<ApiError> ReadMessages(const json& body, CompletionRequest* r) {
  if (!body.contains("messages") || !body["messages"].is_array() || body["messages"].empty()) {
    return InvalidRequest("'messages' must be a non-empty list of {role, content} objects", "messages");
  }
  for (size_t i = 0; i < body["messages"].size(); ++i) {
    const json& m = body["messages"][i];
    if (!m.is_object() || !m.contains("role") || !m["role"].is_string()) {
      return InvalidRequest(absl::StrCat("messages[", i, "] needs a 'role' string"), "messages");
    }
    std::optional<std::string> text = ContentText(m.value("content", json(nullptr)));
    if (!text) {
      return InvalidRequest(absl::StrCat("messages[", i, "].content must be a string or a list of text parts"),
                            "messages");
    }
    ChatMessage message;
    message.role = m["role"].get<std::string>();
    message.content = *text;
    // Fields beyond role and content (tool_calls, tool_call_id, name) reach the template as they are.
    json extra = json::object();
    for (const auto& [key, value] : m.items()) {
      if (key != "role" && key != "content") extra[key] = value;
    }
    if (!extra.empty()) message.extra_json = extra.dump();
    r->messages.push_back(std::move(message));
  }
  return std::nullopt;
}

}  // namespace

std::variant<CompletionRequest, ApiError> ParseCompletionRequest(const json& body, bool chat) {
  if (!body.is_object()) return InvalidRequest("the request body must be a JSON object");
  CompletionRequest r;
  r.chat = chat;
  if (!body.contains("model") || !body["model"].is_string()) {
    return InvalidRequest("'model' is required: a model id from GET /v1/models", "model");
  }
  r.model = body["model"].get<std::string>();
  if (auto e = chat ? ReadMessages(body, &r) : ReadPrompt(body, &r)) return *e;
  // max_completion_tokens is the chat API's newer name for max_tokens.
  for (const char* name : {"max_tokens", "max_completion_tokens"}) {
    if (!body.contains(name) || body[name].is_null()) continue;
    if (!body[name].is_number_integer() || body[name].get<int64_t>() < 0 || body[name].get<int64_t>() > (1 << 30)) {
      return InvalidRequest(absl::StrCat("'", name, "' must be a whole number >= 0"), name);
    }
    r.max_tokens = body[name].get<int32_t>();
  }
  if (auto e = ReadNumber(body, "temperature", 0, 2, &r.temperature)) return *e;
  if (auto e = ReadNumber(body, "top_p", 0, 1, &r.top_p)) return *e;
  if (r.top_p == 0) r.top_p = 1e-6f;  // OpenAI accepts 0: the likeliest token only
  if (body.contains("seed") && !body["seed"].is_null()) {
    if (!body["seed"].is_number_integer()) return InvalidRequest("'seed' must be a whole number", "seed");
    r.seed = static_cast<uint64_t>(body["seed"].get<int64_t>());
  }
  if (body.contains("n") && !body["n"].is_null() && body["n"] != 1) {
    return InvalidRequest("only n = 1 is supported: send several requests (they are batched together)", "n");
  }
  if (body.contains("stop") && !body["stop"].is_null()) {
    const json& stop = body["stop"];
    if (stop.is_string()) {
      r.stop.push_back(stop.get<std::string>());
    } else if (stop.is_array() && stop.size() <= 4) {
      for (const json& s : stop) {
        if (!s.is_string()) return InvalidRequest("'stop' must be a string or a list of up to 4 strings", "stop");
        r.stop.push_back(s.get<std::string>());
      }
    } else {
      return InvalidRequest("'stop' must be a string or a list of up to 4 strings", "stop");
    }
  }
  if (body.contains("stream") && !body["stream"].is_null()) {
    if (!body["stream"].is_boolean()) return InvalidRequest("'stream' must be true or false", "stream");
    r.stream = body["stream"].get<bool>();
  }
  if (body.contains("ignore_eos") && !body["ignore_eos"].is_null()) {
    if (!body["ignore_eos"].is_boolean()) return InvalidRequest("'ignore_eos' must be true or false", "ignore_eos");
    r.ignore_eos = body["ignore_eos"].get<bool>();
  }
  if (body.contains("stream_options") && body["stream_options"].is_object()) {
    r.include_usage = body["stream_options"].value("include_usage", false);
  }
  // Chat: logprobs is a boolean and top_logprobs 0..20; completions: logprobs is the count, 0..5.
  if (body.contains("logprobs") && !body["logprobs"].is_null()) {
    const json& lp = body["logprobs"];
    if (chat) {
      if (!lp.is_boolean()) return InvalidRequest("'logprobs' must be true or false", "logprobs");
      r.logprobs = lp.get<bool>();
    } else {
      if (!lp.is_number_integer() || lp.get<int>() < 0 || lp.get<int>() > 5) {
        return InvalidRequest("'logprobs' must be a whole number from 0 to 5", "logprobs");
      }
      r.logprobs = true;
      r.top_logprobs = lp.get<int32_t>();
    }
  }
  if (chat && body.contains("top_logprobs") && !body["top_logprobs"].is_null()) {
    const json& t = body["top_logprobs"];
    if (!t.is_number_integer() || t.get<int>() < 0 || t.get<int>() > 20) {
      return InvalidRequest("'top_logprobs' must be a whole number from 0 to 20", "top_logprobs");
    }
    if (!r.logprobs) return InvalidRequest("'top_logprobs' needs 'logprobs': true", "top_logprobs");
    r.top_logprobs = t.get<int32_t>();
  }
  return r;
}

}  // namespace ttt::serve
