#include "core/generation/chat/chat_template.h"

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "core/generation/chat/value_json.h"
#include "core/runtime/status.h"

namespace ttt {
namespace {

// The system-role probe renders tiny conversations; it gets small limits so that a hostile template
// cannot make loading slow.
chat::RenderLimits ProbeLimits() {
  chat::RenderLimits limits;
  limits.max_output_bytes = 1u << 20;
  limits.max_steps = 1'000'000;
  return limits;
}

// Moves system messages into the next user message (or a user message of their own when an assistant
// message comes first), for templates that would drop or refuse them.
std::vector<ChatMessage> MergeSystemIntoUser(const std::vector<ChatMessage>& messages) {
  std::vector<ChatMessage> out;
  std::string pending;
  auto flush = [&] {
    if (pending.empty()) return;
    out.push_back(ChatMessage{"user", pending, ""});
    pending.clear();
  };
  for (const ChatMessage& m : messages) {
    if (m.role == "system") {
      if (!pending.empty()) pending += "\n";
      pending += m.content;
      continue;
    }
    if (m.role == "user" && !pending.empty()) {
      ChatMessage merged = m;
      merged.content = m.content.empty() ? pending : absl::StrCat(pending, "\n", m.content);
      pending.clear();
      out.push_back(std::move(merged));
      continue;
    }
    flush();
    out.push_back(m);
  }
  flush();
  return out;
}

absl::StatusOr<chat::Value> MessageValue(const ChatMessage& m, size_t index) {
  chat::Value message = chat::Value::NewDict();
  message.dict().Set("role", chat::Value::String(m.role));
  message.dict().Set("content", chat::Value::String(m.content));
  if (m.extra_json.empty()) return message;
  TTT_ASSIGN_OR_RETURN(chat::Value extra, chat::ParseJson(m.extra_json, absl::StrCat("message ", index, " extra_json")));
  if (!extra.is_dict()) {
    return absl::InvalidArgumentError(absl::StrCat("message ", index, " extra_json must be a JSON object"));
  }
  for (const auto& [key, value] : extra.dict().entries()) message.dict().Set(key, value);
  return message;
}

}  // namespace

absl::StatusOr<ChatTemplate> ChatTemplate::FromString(std::string source, std::string bos_token,
                                                      std::string eos_token) {
  TTT_ASSIGN_OR_RETURN(chat::JinjaTemplate jinja, chat::JinjaTemplate::Parse(source));
  ChatTemplate tmpl(std::move(source), std::move(jinja), std::move(bos_token), std::move(eos_token));
  // Does a system message reach the output? Templates that ignore the role, or raise on it, say no.
  const std::string needle = "<ttt system needle>";
  ChatApplyOptions probe;
  probe.limits = ProbeLimits();
  probe.now = std::chrono::system_clock::time_point();
  // A tool-use template may fail without a tools list, so a failed probe is tried again with an empty one.
  const std::vector<ChatMessage> conversation = {{"system", needle, ""}, {"user", "<ttt user needle>", ""}};
  absl::StatusOr<std::string> rendered = tmpl.Render(conversation, false, probe);
  if (!rendered.ok()) {
    probe.extra_context_json = R"({"tools": []})";
    rendered = tmpl.Render(conversation, false, probe);
  }
  tmpl.supports_system_role_ = rendered.ok() && rendered->find(needle) != std::string::npos;
  return tmpl;
}

absl::StatusOr<std::string> ChatTemplate::Apply(const std::vector<ChatMessage>& messages, bool add_generation_prompt,
                                                const ChatApplyOptions& options) const {
  if (options.merge_system_into_user && !supports_system_role_) {
    return Render(MergeSystemIntoUser(messages), add_generation_prompt, options);
  }
  return Render(messages, add_generation_prompt, options);
}

absl::StatusOr<std::string> ChatTemplate::Render(const std::vector<ChatMessage>& messages,
                                                 bool add_generation_prompt, const ChatApplyOptions& options) const {
  std::vector<chat::Value> list;
  list.reserve(messages.size());
  for (size_t i = 0; i < messages.size(); ++i) {
    TTT_ASSIGN_OR_RETURN(chat::Value m, MessageValue(messages[i], i));
    list.push_back(std::move(m));
  }
  // The variables Hugging Face's apply_chat_template passes: tools and documents are none unless given.
  chat::Value variables = chat::Value::NewDict();
  chat::DictData& vars = variables.dict();
  vars.Set("messages", chat::Value::NewList(std::move(list)));
  vars.Set("add_generation_prompt", chat::Value::Bool(add_generation_prompt));
  vars.Set("bos_token", chat::Value::String(bos_token_));
  vars.Set("eos_token", chat::Value::String(eos_token_));
  vars.Set("tools", chat::Value::None());
  vars.Set("documents", chat::Value::None());
  if (!options.extra_context_json.empty()) {
    TTT_ASSIGN_OR_RETURN(chat::Value extra, chat::ParseJson(options.extra_context_json, "extra context"));
    if (!extra.is_dict()) return absl::InvalidArgumentError("extra context must be a JSON object");
    for (const auto& [key, value] : extra.dict().entries()) vars.Set(key, value);
  }
  chat::RenderOptions render;
  render.limits = options.limits;
  render.now = options.now;
  auto text = jinja_.Render(variables, render);
  if (!text.ok()) return Annotate(text.status(), "chat template");
  return text;
}

}  // namespace ttt
