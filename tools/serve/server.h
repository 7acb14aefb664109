// `ttt serve`: an OpenAI-compatible HTTP server (cpp-httplib) over a BatchScheduler, so concurrent requests
// share decode steps. Endpoints: GET /v1/models, POST /v1/completions, POST /v1/chat/completions (both with
// "stream": true as server-sent events), POST /v1/embeddings (through an EmbeddingBackend; none for a decoder
// model: a 400), GET /health and GET /metrics (Prometheus text). Errors use OpenAI's body.
#pragma once

#include <atomic>
#include <memory>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "core/generation/batching/batch_scheduler.h"
#include "core/generation/chat/chat_template.h"
#include "core/patterns/causal_lm.h"
#include "core/tokenizers/tokenizer.h"
#include "tools/serve/embedding_backend.h"

namespace httplib {
class Server;
}

namespace ttt::serve {

struct ServerOptions {
  std::string host = "127.0.0.1";
  int port = 8080;             // 0: any free port (see Server::port())
  std::string api_key;         // when set, /v1/* needs "Authorization: Bearer <key>"
  std::string model_id;        // what /v1/models lists and requests name
  int http_threads = 64;       // connections served at once (a streaming client holds one)
  int retry_after_seconds = 1;  // told to clients refused with 503
};

class Server {
 public:
  // Every pointer must outlive the server; `chat_template` may be null (chat requests then answer 400),
  // `embeddings` too (decoder models: /v1/embeddings answers "not an encoder").
  Server(const CausalLm& model, const tokenizers::Tokenizer& tokenizer, const ChatTemplate* chat_template,
         BatchScheduler& scheduler, EmbeddingBackend* embeddings, ServerOptions options);
  ~Server();

  // Binds the address (a taken port is an error naming it); then port() is the port bound.
  absl::Status Bind();
  int port() const { return port_; }
  // Serves until Stop() (from another thread or a signal handler's thread).
  absl::Status Run();
  void Stop();

 private:
  void Routes();
  const CausalLm& model_;
  const tokenizers::Tokenizer& tokenizer_;
  const ChatTemplate* chat_template_;
  BatchScheduler& scheduler_;
  EmbeddingBackend* embeddings_;
  ServerOptions options_;
  std::unique_ptr<httplib::Server> http_;
  int listen_socket_ = -1;  // the socket httplib listens on (Bind raises its backlog)
  int port_ = 0;
  std::atomic<int64_t> http_requests_{0};
  std::atomic<int64_t> http_errors_{0};
  std::atomic<uint64_t> next_response_id_{1};
};

}  // namespace ttt::serve
