// A model's chat template: the Jinja template that turns a conversation into the prompt text the model
// was trained on, read from a Hugging Face directory (tokenizer_config.json's chat_template, or
// chat_template.jinja) or a GGUF file (tokenizer.chat_template), and rendered the way Hugging Face
// transformers renders it (same whitespace rules, raise_exception, strftime_now, tojson).
//
//   TTT_ASSIGN_OR_RETURN(ChatTemplate tmpl, ChatTemplate::FromModelPath("path/to/model"));
//   TTT_ASSIGN_OR_RETURN(std::string prompt, tmpl.Apply({{"user", "Hello"}}, /*add_generation_prompt=*/true));
//
// The rendering usually begins with bos_token: tokenize it without adding another BOS.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "core/generation/chat/evaluator.h"
#include "core/generation/chat/jinja_template.h"

namespace ttt {

struct ChatMessage {
  std::string role;     // "system", "user", "assistant", "tool"...
  std::string content;
  // Optional JSON object whose keys are added to the message the template sees, overriding role and
  // content: {"tool_calls": [...]}, {"tool_call_id": "..."}, {"reasoning_content": "..."}, or a "content"
  // list of typed parts. Empty for a plain message.
  std::string extra_json;
};

struct ChatApplyOptions {
  // Optional JSON object of further template variables: "tools" and "documents" (otherwise none, as in
  // Hugging Face), or switches some templates read, such as "enable_thinking".
  std::string extra_context_json;
  // Some templates drop system messages or refuse them (Gemma, Mistral v0.1). When the template does (tried
  // once, when it is loaded), the system text goes in front of the first user message instead, separated by
  // a newline, as llama.cpp does; false renders the messages as given.
  bool merge_system_into_user = true;
  // What strftime_now() formats (templates that date their system prompt); unset is now.
  std::optional<std::chrono::system_clock::time_point> now;
  chat::RenderLimits limits;
};

class ChatTemplate {
 public:
  // `source` is Jinja text; bos_token and eos_token are the values of those template variables.
  static absl::StatusOr<ChatTemplate> FromString(std::string source, std::string bos_token = "",
                                                 std::string eos_token = "");
  // `path` is a Hugging Face model directory (or a file in it, such as config.json) or a GGUF file. A model
  // without a template is a NotFound error naming what was searched.
  static absl::StatusOr<ChatTemplate> FromModelPath(const std::string& path);

  absl::StatusOr<std::string> Apply(const std::vector<ChatMessage>& messages, bool add_generation_prompt,
                                    const ChatApplyOptions& options = {}) const;

  const std::string& source() const { return source_; }
  const std::string& bos_token() const { return bos_token_; }
  const std::string& eos_token() const { return eos_token_; }
  // Whether a system message shows in the rendering (false for templates that drop or refuse it).
  bool supports_system_role() const { return supports_system_role_; }

 private:
  ChatTemplate(std::string source, chat::JinjaTemplate jinja, std::string bos, std::string eos)
      : source_(std::move(source)), jinja_(std::move(jinja)), bos_token_(std::move(bos)), eos_token_(std::move(eos)) {}
  absl::StatusOr<std::string> Render(const std::vector<ChatMessage>& messages, bool add_generation_prompt,
                                     const ChatApplyOptions& options) const;

  std::string source_;
  chat::JinjaTemplate jinja_;
  std::string bos_token_;
  std::string eos_token_;
  bool supports_system_role_ = true;
};

}  // namespace ttt
