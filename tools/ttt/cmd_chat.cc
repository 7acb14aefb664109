// ttt chat: a multi-turn conversation through the model's chat template, streamed, with line editing and
// history (libedit) on a terminal; reads lines from a pipe too. /reset, /save FILE, /help, /quit.
#include <editline/readline.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "core/generation/generate.h"
#include "core/runtime/status.h"
#include "nlohmann/json.hpp"
#include "tools/ttt/common.h"

namespace ttt::cli {
namespace {

// One line of input: through libedit on a terminal (editing, history), plain getline from a pipe.
class LineReader {
 public:
  LineReader() : interactive_(isatty(STDIN_FILENO) != 0) {
    if (!interactive_) return;
    const char* home = std::getenv("HOME");
    if (home != nullptr) history_file_ = std::string(home) + "/.ttt_chat_history";
    using_history();
    if (!history_file_.empty()) read_history(history_file_.c_str());
  }
  ~LineReader() {
    if (interactive_ && !history_file_.empty()) write_history(history_file_.c_str());
  }
  bool interactive() const { return interactive_; }
  // False at the end of input.
  bool Read(std::string* line) {
    if (!interactive_) return static_cast<bool>(std::getline(std::cin, *line));
    char* raw = readline("> ");
    if (raw == nullptr) return false;
    *line = raw;
    std::free(raw);
    if (!line->empty()) add_history(line->c_str());
    return true;
  }

 private:
  bool interactive_;
  std::string history_file_;
};

absl::Status Save(const std::vector<ChatMessage>& messages, const std::string& file) {
  nlohmann::json out = nlohmann::json::array();
  for (const ChatMessage& m : messages) out.push_back({{"role", m.role}, {"content", m.content}});
  std::ofstream f(file, std::ios::binary | std::ios::trunc);
  f << out.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
  if (!f) return absl::UnavailableError(absl::StrCat("cannot write ", file));
  return absl::OkStatus();
}

constexpr char kHelp[] = "/reset forgets the conversation, /save FILE writes it as JSON, /quit ends (also Ctrl-D)";

absl::Status RunChat(const Args& args) {
  long long n = 0, ctx = 0;
  TTT_RETURN_IF_ERROR(args.GetInt("n-predict", &n));
  TTT_RETURN_IF_ERROR(args.GetInt("ctx-size", &ctx));
  if (n < 1 || ctx < 0) return absl::InvalidArgumentError("-n must be >= 1 and --ctx-size >= 0");
  GenerationOptions options;
  TTT_ASSIGN_OR_RETURN(options.sampling, SamplingOptionsFromArgs(args));
  options.max_new_tokens = static_cast<int32_t>(n);
  const std::string system = args.Get("system");
  TTT_ASSIGN_OR_RETURN(LoadedModel loaded, LoadModelFromArgs(args, /*require_tokenizer=*/true));
  TTT_ASSIGN_OR_RETURN(ChatTemplate chat_template, ChatTemplateFromArgs(args, loaded));
  options.context = ctx > 0 ? ctx : loaded.model->spec().max_seq_len();
  if (!chat_template.eos_token().empty()) options.stop_strings = {chat_template.eos_token()};
  // The rendering usually starts with the BOS text: no second BOS then.
  const std::string& bos = chat_template.bos_token();

  // Each turn's prompt is the whole conversation rendered again; the session's KV cache already holds its start
  // (the earlier turns), so only the new message and what the template wraps it in are prefilled.
  KvSession session;
  options.session = &session;
  std::vector<ChatMessage> messages;
  auto reset = [&] {
    session.cached.clear();
    messages.clear();
    if (!system.empty()) messages.push_back({.role = "system", .content = system});
  };
  reset();
  LineReader reader;
  if (reader.interactive()) std::cout << "ttt chat: " << loaded.source << ". " << kHelp << "\n";
  std::string line;
  while (reader.Read(&line)) {
    const std::string input(absl::StripAsciiWhitespace(line));
    if (input.empty()) continue;
    if (input == "/quit" || input == "/exit") break;
    if (input == "/help") {
      std::cout << kHelp << "\n";
      continue;
    }
    if (input == "/reset") {
      reset();
      std::cout << "(conversation reset)\n";
      continue;
    }
    if (absl::StartsWith(input, "/save")) {
      std::string file(absl::StripAsciiWhitespace(input.substr(5)));
      if (file.empty()) {
        std::cout << "usage: /save FILE\n";
        continue;
      }
      absl::Status saved = Save(messages, file);
      std::cout << (saved.ok() ? absl::StrCat("(saved ", messages.size(), " messages to ", file, ")")
                               : absl::StrCat("(", saved.message(), ")"))
                << "\n";
      continue;
    }
    messages.push_back({.role = "user", .content = input});
    auto prompt = chat_template.Apply(messages, /*add_generation_prompt=*/true);
    if (!prompt.ok()) {
      messages.pop_back();
      std::cout << "(the chat template refused the conversation: " << prompt.status().message() << ")\n";
      continue;
    }
    options.add_bos = loaded.model->spec().special_tokens().add_bos() && (bos.empty() || !absl::StartsWith(*prompt, bos));
    auto results = Generate(*loaded.model, *loaded.tokenizer, {*prompt}, options, [](size_t, std::string_view text) {
      std::cout << text << std::flush;
      return true;
    });
    std::cout << "\n";
    if (!results.ok()) {
      messages.pop_back();
      std::cout << "(" << results.status().message() << ": /reset starts a new conversation)\n";
      continue;
    }
    messages.push_back({.role = "assistant", .content = results->front().text});
  }
  return absl::OkStatus();
}

TTT_COMMAND({"chat", "chat with a model through its chat template (line editing and history; reads a pipe too)",
             Flags({{{"--system,--system-prompt", "the system message", ""},
                     {"-n,--n-predict", "tokens per reply at most", "512", FlagKind::kInt},
                     {"-c,--ctx-size,--ctx", "context length (0: the model's)", "0", FlagKind::kInt}},
                    SamplingFlags("0.8"), ChatTemplateFlags(), ModelFlags(), ThreadsFlag(), HardwareFlags()}),
             RunChat});

}  // namespace
}  // namespace ttt::cli
