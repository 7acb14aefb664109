// ttt serve: an OpenAI-compatible HTTP server with continuous batching (tools/serve).
#include <csignal>
#include <filesystem>
#include <iostream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "core/generation/batching/batch_scheduler.h"
#include "core/runtime/logging.h"
#include "core/runtime/status.h"
#include "tools/serve/encoder_backend.h"
#include "tools/serve/server.h"
#include "tools/ttt/common.h"

namespace ttt::cli {
namespace {

serve::Server* g_server = nullptr;  // for the signal handler

void OnSignal(int) {
  if (g_server != nullptr) g_server->Stop();
}

absl::Status RunServe(const Args& args) {
  long long port = 0, parallel = 0, ctx = 0, queue = 0;
  TTT_RETURN_IF_ERROR(args.GetInt("port", &port));
  TTT_RETURN_IF_ERROR(args.GetInt("parallel", &parallel));
  TTT_RETURN_IF_ERROR(args.GetInt("ctx-size", &ctx));
  TTT_RETURN_IF_ERROR(args.GetInt("queue", &queue));
  if (port < 0 || port > 65535) return absl::InvalidArgumentError(absl::StrCat("--port ", port, " is not 0..65535"));
  if (parallel < 1 || parallel > 256) {
    return absl::InvalidArgumentError(absl::StrCat("--parallel ", parallel, " must be 1..256"));
  }
  if (queue < 0) return absl::InvalidArgumentError(absl::StrCat("--queue ", queue, " must be >= 0"));
  serve::ServerOptions options;
  options.host = args.Get("host");
  options.port = static_cast<int>(port);
  options.api_key = args.Get("api-key");
  if (options.api_key.empty() && std::getenv("TTT_API_KEY") != nullptr) options.api_key = std::getenv("TTT_API_KEY");
  std::string model_path = args.Get("model");
  if (model_path.empty()) model_path = DemoModelPath();
  // The model id clients name: the file name without its extension, or the directory's name.
  std::filesystem::path path = std::filesystem::path(model_path).lexically_normal();
  if (path.filename().empty()) path = path.parent_path();
  options.model_id = args.Has("alias")                       ? args.Get("alias")
                     : std::filesystem::is_directory(path) ? path.filename().string()
                                                           : path.stem().string();
  TTT_ASSIGN_OR_RETURN(LoadedModel loaded, LoadModelFromArgs(args, /*require_tokenizer=*/true));
  TTT_ASSIGN_OR_RETURN(ChatTemplate chat_template, ChatTemplateFromArgs(args, loaded));
  // An encoder beside the decoder answers /v1/embeddings; without one that endpoint says the model has none.
  std::unique_ptr<serve::EncoderBackend> embeddings;
  if (const std::string encoder_path = args.Get("embedding-model"); !encoder_path.empty()) {
    TTT_ASSIGN_OR_RETURN(LoadedEncoder encoder, LoadEncoder(encoder_path));
    embeddings = std::make_unique<serve::EncoderBackend>(std::move(encoder));
  }

  TTT_ASSIGN_OR_RETURN(auto scheduler,
                       BatchScheduler::Create(*loaded.model, *loaded.tokenizer,
                                              {.slots = static_cast<int32_t>(parallel), .context = ctx,
                                               .max_queue = static_cast<int32_t>(queue),
                                               .reuse_prefix = !args.Has("no-prompt-cache")}));
  serve::Server server(*loaded.model, *loaded.tokenizer, &chat_template, *scheduler, embeddings.get(), options);
  TTT_RETURN_IF_ERROR(server.Bind());
  scheduler->Start();
  g_server = &server;
  std::signal(SIGINT, OnSignal);
  std::signal(SIGTERM, OnSignal);
  // The line scripts wait for (tests/serve reads the port from it).
  std::cout << "ttt serve: " << options.model_id << " (" << parallel << " slots of " << scheduler->context()
            << " tokens) listening on http://" << options.host << ":" << server.port() << std::endl;
  absl::Status status = server.Run();
  g_server = nullptr;
  scheduler->Stop();
  return status;
}

TTT_COMMAND({"serve", "an OpenAI-compatible HTTP server (completions, chat, streaming) with continuous batching",
             Flags({{{"--host", "address to listen on", "127.0.0.1"},
                     {"--port", "port to listen on (0: any free port)", "8080", FlagKind::kInt},
                     {"--parallel", "slots decoded together (llama-server: -np)", "4", FlagKind::kInt},
                     {"-c,--ctx-size,--ctx", "each slot's context (0: the model's)", "0", FlagKind::kInt},
                     {"--queue", "requests waiting for a slot; more get 503", "64", FlagKind::kInt},
                     {"--api-key", "the key clients must send (default: $TTT_API_KEY; none: open)", ""},
                     {"-a,--alias", "the model id clients name (default: the file or folder name)", ""},
                     {"--embedding-model", "a BERT-style encoder for /v1/embeddings", ""},
                     {"--no-prompt-cache", "forget a slot's KV cache when its request ends (default: a new request "
                      "reuses the longest cached prefix of its prompt)", "", FlagKind::kSwitch}},
                    ChatTemplateFlags(), ModelFlags(), ThreadsFlag(), HardwareFlags()}),
             RunServe});

}  // namespace
}  // namespace ttt::cli
