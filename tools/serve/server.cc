#include "tools/serve/server.h"

#include <httplib.h>
#include <sys/socket.h>

#include <chrono>
#include <random>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "nlohmann/json.hpp"
#include "tools/serve/api_error.h"
#include "tools/serve/client_connection.h"
#include "tools/serve/metrics.h"
#include "tools/serve/openai_request.h"
#include "tools/serve/openai_response.h"
#include "tools/serve/token_channel.h"

namespace ttt::serve {
namespace {

using nlohmann::json;

// Generated text may hold bytes that are not UTF-8 (a byte-level model can emit anything): replaced, never
// thrown on.
std::string Dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

void SendJson(httplib::Response& res, const json& body) { res.set_content(Dump(body), "application/json"); }

void SendError(httplib::Response& res, const ApiError& error, int retry_after) {
  res.status = error.http_status;
  if (error.http_status == 503) res.set_header("Retry-After", std::to_string(retry_after));
  res.set_content(error.Body(), "application/json");
}

// The body as JSON, or the parser's complaint as an OpenAI error.
std::variant<json, ApiError> ParseBody(const httplib::Request& req) {
  try {
    return json::parse(req.body);
  } catch (const json::parse_error& e) {
    return InvalidRequest(absl::StrCat("invalid JSON in the request body: ", e.what()));
  }
}

int64_t UnixSeconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string Base64(const void* data, size_t size) {
  static const char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  const auto* p = static_cast<const unsigned char*>(data);
  std::string out;
  for (size_t i = 0; i < size; i += 3) {
    uint32_t v = p[i] << 16 | (i + 1 < size ? p[i + 1] << 8 : 0) | (i + 2 < size ? p[i + 2] : 0);
    out += kAlphabet[v >> 18 & 63];
    out += kAlphabet[v >> 12 & 63];
    out += i + 1 < size ? kAlphabet[v >> 6 & 63] : '=';
    out += i + 2 < size ? kAlphabet[v & 63] : '=';
  }
  return out;
}

// What a streaming response keeps between calls of its content provider.
struct Stream {
  std::shared_ptr<TokenChannel> channel;
  uint64_t request_id = 0;
  ResponseContext ctx;
  bool include_usage = false;
  bool first = true;
};

}  // namespace

Server::Server(const CausalLm& model, const tokenizers::Tokenizer& tokenizer, const ChatTemplate* chat_template,
               BatchScheduler& scheduler, EmbeddingBackend* embeddings, ServerOptions options)
    : model_(model), tokenizer_(tokenizer), chat_template_(chat_template), scheduler_(scheduler),
      embeddings_(embeddings), options_(std::move(options)), http_(std::make_unique<httplib::Server>()) {
  const int threads = options_.http_threads;
  http_->new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  http_->set_socket_options([this](socket_t sock) {
    httplib::default_socket_options(sock);
    listen_socket_ = sock;  // the last socket httplib creates is the one it binds
  });
  Routes();
}

Server::~Server() { Stop(); }

absl::Status Server::Bind() {
  port_ = options_.port == 0 ? http_->bind_to_any_port(options_.host)
                             : (http_->bind_to_port(options_.host, options_.port) ? options_.port : -1);
  if (port_ < 0) {
    return absl::UnavailableError(absl::StrCat("cannot listen on ", options_.host, ":", options_.port,
                                               ": the port is taken or the address is not this machine's; try "
                                               "another --port (0 picks a free one) or --host"));
  }
  // Debian's libcpp-httplib listens with a backlog of 5 (CPPHTTPLIB_LISTEN_BACKLOG is compiled into the
  // library). A burst of connections while the decode threads hold every core overflows it, and the client's
  // kernel retries a dropped SYN only after a second: in serve-bench two of eight clients joined ~46 decode
  // steps late (the machine's TcpExtListenOverflows counted 2). listen() again on the bound socket raises it.
  if (listen_socket_ >= 0 && ::listen(listen_socket_, SOMAXCONN) != 0) {
    return absl::InternalError(absl::StrCat("cannot raise the listen backlog on ", options_.host, ":", port_));
  }
  return absl::OkStatus();
}

absl::Status Server::Run() {
  if (!http_->listen_after_bind()) return absl::InternalError("the HTTP server stopped with an error");
  return absl::OkStatus();
}

void Server::Stop() {
  if (http_ && http_->is_running()) http_->stop();
}

void Server::Routes() {
  const int retry_after = options_.retry_after_seconds;
  // Every request counts; /v1/* needs the key when one is set (/health and /metrics stay open for probes).
  http_->set_pre_routing_handler([this, retry_after](const httplib::Request& req, httplib::Response& res) {
    ++http_requests_;
    if (options_.api_key.empty() || !absl::StartsWith(req.path, "/v1/")) return httplib::Server::HandlerResponse::Unhandled;
    if (req.get_header_value("Authorization") == "Bearer " + options_.api_key) {
      return httplib::Server::HandlerResponse::Unhandled;
    }
    SendError(res,
              MakeError(401, "invalid API key: send the server's --api-key as 'Authorization: Bearer <key>'",
                        "invalid_request_error", "invalid_api_key"),
              retry_after);
    return httplib::Server::HandlerResponse::Handled;
  });
  http_->set_error_handler([](const httplib::Request& req, httplib::Response& res) {
    if (!res.body.empty()) return;
    const ApiError error = MakeError(res.status,
                                     absl::StrCat("no route ", req.method, " ", req.path,
                                                  ": see /v1/models, /v1/completions, /v1/chat/completions, "
                                                  "/v1/embeddings, /health, /metrics"),
                                     "invalid_request_error", res.status == 404 ? "not_found" : "");
    res.set_content(error.Body(), "application/json");
  });
  http_->set_logger([this](const httplib::Request&, const httplib::Response& res) {
    if (res.status >= 400) ++http_errors_;
  });

  http_->Get("/health", [this](const httplib::Request&, httplib::Response& res) {
    const BatchSchedulerStats s = scheduler_.stats();
    SendJson(res, {{"status", "ok"},
                   {"slots_processing", s.active_slots},
                   {"slots_idle", scheduler_.slots() - s.active_slots},
                   {"queue_depth", s.queue_depth}});
  });
  http_->Get("/metrics", [this](const httplib::Request&, httplib::Response& res) {
    res.set_content(PrometheusText(scheduler_.stats(), scheduler_.slots(), http_requests_, http_errors_),
                    "text/plain; version=0.0.4");
  });
  http_->Get("/v1/models", [this](const httplib::Request&, httplib::Response& res) {
    json model = {{"id", options_.model_id}, {"object", "model"}, {"created", UnixSeconds()}, {"owned_by", "ttt"},
                  {"meta", {{"n_ctx", scheduler_.context()}, {"n_vocab", model_.vocab_size()},
                            {"slots", scheduler_.slots()}, {"chat_template", chat_template_ != nullptr}}}};
    SendJson(res, {{"object", "list"}, {"data", json::array({model})}});
  });

  auto completion = [this, retry_after](bool chat) {
    return [this, retry_after, chat](const httplib::Request& req, httplib::Response& res) {
      auto fail = [&](const ApiError& e) { SendError(res, e, retry_after); };
      auto body = ParseBody(req);
      if (auto* e = std::get_if<ApiError>(&body)) return fail(*e);
      auto parsed = ParseCompletionRequest(std::get<json>(body), chat);
      if (auto* e = std::get_if<ApiError>(&parsed)) return fail(*e);
      CompletionRequest& r = std::get<CompletionRequest>(parsed);
      if (r.model != options_.model_id) {
        return fail(InvalidRequest(absl::StrCat("the model '", r.model, "' does not exist: this server serves '",
                                                options_.model_id, "' (GET /v1/models)"),
                                   "model", "model_not_found"));
      }
      // The prompt's tokens: the conversation through the chat template, or the text (or ids) as given.
      BatchRequest request;
      const bool model_adds_bos = model_.spec().special_tokens().add_bos();
      if (chat) {
        if (chat_template_ == nullptr) {
          return fail(InvalidRequest("this model has no chat template: use /v1/completions, or restart the server "
                                     "with --chat-template FILE"));
        }
        auto text = chat_template_->Apply(r.messages, /*add_generation_prompt=*/true);
        if (!text.ok()) return fail(InvalidRequest(absl::StrCat("the chat template refused the messages: ",
                                                                text.status().message()), "messages"));
        // The rendering usually begins with the BOS text already.
        const std::string& bos = chat_template_->bos_token();
        const bool add_bos = model_adds_bos && (bos.empty() || !absl::StartsWith(*text, bos));
        auto ids = tokenizer_.Encode(*text, add_bos);
        if (!ids.ok()) return fail(FromStatus(ids.status(), "messages"));
        request.prompt = *std::move(ids);
        if (!chat_template_->eos_token().empty()) request.stop_strings.push_back(chat_template_->eos_token());
      } else if (!r.prompt_ids.empty()) {
        request.prompt = r.prompt_ids;
      } else {
        auto ids = tokenizer_.Encode(r.prompt, model_adds_bos);
        if (!ids.ok()) return fail(FromStatus(ids.status(), "prompt"));
        request.prompt = *std::move(ids);
      }
      if (request.prompt.empty()) return fail(InvalidRequest("the prompt is empty", chat ? "messages" : "prompt"));
      const int64_t context = scheduler_.context(), prompt = static_cast<int64_t>(request.prompt.size());
      if (prompt >= context) {
        return fail(InvalidRequest(absl::StrCat("this model's context is ", context, " tokens, but the prompt has ",
                                                prompt, ": shorten it"),
                                   chat ? "messages" : "prompt", "context_length_exceeded"));
      }
      request.max_new_tokens = r.max_tokens.value_or(static_cast<int32_t>(context - prompt));
      for (auto& s : r.stop) request.stop_strings.push_back(std::move(s));
      request.sampling.temperature = r.temperature;
      request.sampling.top_p = r.top_p;
      request.sampling.seed = r.seed.value_or(std::random_device{}());
      request.stop_at_eos = !r.ignore_eos;
      request.logprobs = r.logprobs;
      request.top_logprobs = r.top_logprobs;

      auto channel = std::make_shared<TokenChannel>(/*streaming=*/r.stream);
      auto id = scheduler_.Submit(std::move(request), channel);
      if (!id.ok()) return fail(FromStatus(id.status(), "max_tokens"));
      ResponseContext ctx{.chat = chat,
                          .id = absl::StrCat(chat ? "chatcmpl-" : "cmpl-", next_response_id_++),
                          .created = UnixSeconds(),
                          .model = options_.model_id,
                          .tokenizer = &tokenizer_,
                          .logprobs = r.logprobs};

      if (!r.stream) {
        // Nothing is written until the answer is whole, so a hang-up is only seen by watching the socket: the
        // request is cancelled and its slot freed, the 499 (nginx's "client closed request") only logged.
        const auto connection = ClientConnection::Find(req.remote_addr, req.remote_port, port_);
        std::deque<BatchToken> tokens;
        std::optional<BatchOutcome> outcome;
        while (!(outcome = channel->Take(&tokens, std::chrono::milliseconds(100)))) {
          if (connection && connection->Closed()) {
            channel->Abandon();
            scheduler_.Cancel(*id);
            res.status = 499;
            return;
          }
        }
        if (!outcome->status.ok()) return fail(FromStatus(outcome->status));
        std::string text;
        for (const BatchToken& t : tokens) text += t.text;
        text += outcome->final_text;
        return SendJson(res, FullResponse(ctx, text, {tokens.begin(), tokens.end()}, *outcome));
      }

      auto stream = std::make_shared<Stream>(Stream{.channel = channel, .request_id = *id, .ctx = ctx,
                                                    .include_usage = r.include_usage, .first = true});
      res.set_header("Cache-Control", "no-cache");
      res.set_chunked_content_provider(
          "text/event-stream",
          [this, stream](size_t, httplib::DataSink& sink) {
            auto gone = [&] {
              stream->channel->Abandon();
              scheduler_.Cancel(stream->request_id);
              return false;
            };
            auto send = [&](const json& event) {
              const std::string line = absl::StrCat("data: ", Dump(event), "\n\n");
              return sink.write(line.data(), line.size());
            };
            std::deque<BatchToken> taken;
            std::optional<BatchOutcome> outcome = stream->channel->Take(&taken, std::chrono::milliseconds(200));
            if (!sink.is_writable()) return gone();
            // One chunk per token that brought text (or logprobs), as OpenAI streams; the text held back to
            // the end (a possible stop string that was not one) in one more.
            for (const BatchToken& t : taken) {
              if (t.text.empty() && !stream->ctx.logprobs && !stream->first) continue;
              if (!send(StreamChunk(stream->ctx, t.text, {t}, stream->first, nullptr))) return gone();
              stream->first = false;
            }
            if (outcome && (!outcome->final_text.empty() || stream->first)) {
              if (!send(StreamChunk(stream->ctx, outcome->final_text, {}, stream->first, nullptr))) return gone();
              stream->first = false;
            }
            stream->channel->MarkWritten();
            if (!outcome) return true;
            if (!outcome->status.ok()) {
              send({{"error", json::parse(FromStatus(outcome->status).Body())["error"]}});
            } else {
              send(StreamChunk(stream->ctx, "", {}, false, FinishReason(outcome->stop_reason)));
              if (stream->include_usage) {
                json usage = StreamChunk(stream->ctx, "", {}, false, nullptr);
                usage["choices"] = json::array();
                usage["usage"] = Usage(*outcome);
                send(usage);
              }
            }
            const std::string done = "data: [DONE]\n\n";
            sink.write(done.data(), done.size());
            sink.done();
            return true;
          },
          [this, stream](bool success) {
            if (success) return;
            stream->channel->Abandon();
            scheduler_.Cancel(stream->request_id);
          });
    };
  };
  http_->Post("/v1/completions", completion(false));
  http_->Post("/v1/chat/completions", completion(true));

  http_->Post("/v1/embeddings", [this, retry_after](const httplib::Request& req, httplib::Response& res) {
    auto fail = [&](const ApiError& e) { SendError(res, e, retry_after); };
    auto parsed = ParseBody(req);
    if (auto* e = std::get_if<ApiError>(&parsed)) return fail(*e);
    const json& body = std::get<json>(parsed);
    if (!body.is_object() || !body.contains("model") || !body["model"].is_string()) {
      return fail(InvalidRequest("'model' is required: a model id from GET /v1/models", "model"));
    }
    const std::string model = body["model"].get<std::string>();
    if (model != options_.model_id) {
      return fail(InvalidRequest(absl::StrCat("the model '", model, "' does not exist: this server serves '",
                                              options_.model_id, "' (GET /v1/models)"),
                                 "model", "model_not_found"));
    }
    if (embeddings_ == nullptr) {
      return fail(InvalidRequest(absl::StrCat("the model '", model, "' is not an encoder: it is a decoder-only "
                                              "language model, which gives no embeddings; serve an encoder "
                                              "(embedding) model for /v1/embeddings"),
                                 "model", "model_not_encoder"));
    }
    std::vector<std::string> inputs;
    const json input = body.value("input", json(nullptr));
    if (input.is_string()) {
      inputs.push_back(input.get<std::string>());
    } else if (input.is_array() && !input.empty() && std::all_of(input.begin(), input.end(),
                                                                  [](const json& s) { return s.is_string(); })) {
      for (const json& s : input) inputs.push_back(s.get<std::string>());
    } else {
      return fail(InvalidRequest("'input' must be a string or a non-empty list of strings", "input"));
    }
    auto embedded = embeddings_->Embed(inputs);
    if (!embedded.ok()) return fail(FromStatus(embedded.status(), "input"));
    const bool base64 = body.value("encoding_format", "float") == "base64";
    json data = json::array();
    for (size_t i = 0; i < embedded->vectors.size(); ++i) {
      const auto& v = embedded->vectors[i];
      data.push_back({{"object", "embedding"}, {"index", i},
                      {"embedding", base64 ? json(Base64(v.data(), v.size() * sizeof(float))) : json(v)}});
    }
    SendJson(res, {{"object", "list"}, {"data", data}, {"model", model},
                   {"usage", {{"prompt_tokens", embedded->prompt_tokens}, {"total_tokens", embedded->prompt_tokens}}}});
  });
}

}  // namespace ttt::serve
