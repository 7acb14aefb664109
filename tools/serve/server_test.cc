// The OpenAI-compatible server in-process on a loopback port, driven by cpp-httplib's client: every endpoint,
// streaming, and the error bodies clients rely on.
#include "tools/serve/server.h"

#include <arpa/inet.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <thread>

#include "core/factory/model_loader.h"
#include "gtest/gtest.h"
#include "core/runtime/mapped_file.h"
#include "core/testing/reference_logits.h"
#include "tools/serve/encoder_backend.h"
#include "nlohmann/json.hpp"

namespace ttt::serve {
namespace {

using nlohmann::json;

constexpr char kChatMl[] =
    "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + "
    "'\\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

class ServerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto loaded = LoadModel(std::string(TTT_FIXTURES_DIR) + "/stories260K/stories260K.bin");
    ASSERT_TRUE(loaded.ok()) << loaded.status();
    loaded_ = new LoadedModel(*std::move(loaded));
  }
  static void TearDownTestSuite() {
    delete loaded_;
    loaded_ = nullptr;
  }
  void Start(ServerOptions options, BatchSchedulerOptions batching = {.slots = 2, .context = 128, .max_queue = 4},
             EmbeddingBackend* embeddings = nullptr, bool start_scheduler = true) {
    auto tmpl = ChatTemplate::FromString(kChatMl, "<s>", "<|im_end|>");
    ASSERT_TRUE(tmpl.ok()) << tmpl.status();
    template_.emplace(*std::move(tmpl));
    auto scheduler = BatchScheduler::Create(*loaded_->model, *loaded_->tokenizer, batching);
    ASSERT_TRUE(scheduler.ok()) << scheduler.status();
    scheduler_ = *std::move(scheduler);
    options.port = 0;
    if (options.model_id.empty()) options.model_id = "stories260K";
    server_ = std::make_unique<Server>(*loaded_->model, *loaded_->tokenizer, &*template_, *scheduler_, embeddings, options);
    ASSERT_TRUE(server_->Bind().ok());
    if (start_scheduler) scheduler_->Start();
    thread_ = std::thread([this] { (void)server_->Run(); });
    client_ = std::make_unique<httplib::Client>("127.0.0.1", server_->port());
    client_->set_read_timeout(60, 0);
    for (int i = 0; i < 200 && !client_->Get("/health"); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  void TearDown() override {
    if (server_) server_->Stop();
    if (thread_.joinable()) thread_.join();
    if (scheduler_) scheduler_->Stop();
  }
  httplib::Result Post(const std::string& path, const json& body, const httplib::Headers& headers = {}) {
    return client_->Post(path.c_str(), headers, body.dump(), "application/json");
  }
  // A metric's value from GET /metrics ("ttt_<name> <value>").
  int64_t Metric(const std::string& name) {
    auto r = client_->Get("/metrics");
    if (!r) return -1;
    const std::string key = "\nttt_" + name + " ";
    const size_t at = r->body.find(key);
    return at == std::string::npos ? -1 : std::stoll(r->body.substr(at + key.size()));
  }
  static json Error(const httplib::Result& r) { return json::parse(r->body)["error"]; }

  static LoadedModel* loaded_;
  std::optional<ChatTemplate> template_;
  std::unique_ptr<BatchScheduler> scheduler_;
  std::unique_ptr<Server> server_;
  std::thread thread_;
  std::unique_ptr<httplib::Client> client_;
};
LoadedModel* ServerTest::loaded_ = nullptr;

TEST_F(ServerTest, ModelsHealthAndMetrics) {
  Start({});
  auto models = client_->Get("/v1/models");
  ASSERT_TRUE(models);
  EXPECT_EQ(models->status, 200);
  EXPECT_EQ(json::parse(models->body)["data"][0]["id"], "stories260K");
  auto health = client_->Get("/health");
  ASSERT_TRUE(health);
  EXPECT_EQ(json::parse(health->body)["status"], "ok");
  auto metrics = client_->Get("/metrics");
  ASSERT_TRUE(metrics);
  for (const char* name : {"ttt_requests_total", "ttt_generated_tokens_total", "ttt_queue_depth", "ttt_batch_size",
                           "ttt_tokens_per_second"}) {
    EXPECT_NE(metrics->body.find(name), std::string::npos) << name;
  }
}

TEST_F(ServerTest, CompletionIsGreedyAndCountsTokens) {
  Start({});
  json body = {{"model", "stories260K"}, {"prompt", "Once upon a time"}, {"max_tokens", 12}, {"temperature", 0}};
  auto first = Post("/v1/completions", body), second = Post("/v1/completions", body);
  ASSERT_TRUE(first && second);
  ASSERT_EQ(first->status, 200) << first->body;
  json r = json::parse(first->body);
  EXPECT_EQ(r["object"], "text_completion");
  EXPECT_FALSE(r["choices"][0]["text"].get<std::string>().empty());
  EXPECT_EQ(r["choices"][0]["text"], json::parse(second->body)["choices"][0]["text"]);
  EXPECT_EQ(r["usage"]["completion_tokens"].get<int>() + r["usage"]["prompt_tokens"].get<int>(),
            r["usage"]["total_tokens"].get<int>());
  EXPECT_EQ(r["choices"][0]["finish_reason"], "length");
}

// A chat's second turn is the first turn rendered again plus more: the slot the first turn left still holds
// its keys and values, so the server prefills only what is new and says so in usage (OpenAI's cached_tokens).
TEST_F(ServerTest, ASecondChatTurnReusesTheFirstTurnsCache) {
  Start({});
  json turns = {{{"role", "user"}, {"content", "Tell me a story"}}};
  json body = {{"model", "stories260K"}, {"messages", turns}, {"max_tokens", 8}, {"temperature", 0}};
  auto first = Post("/v1/chat/completions", body);
  ASSERT_TRUE(first);
  ASSERT_EQ(first->status, 200) << first->body;
  const json one = json::parse(first->body);
  EXPECT_EQ(one["usage"]["prompt_tokens_details"]["cached_tokens"], 0);
  turns.push_back({{"role", "assistant"}, {"content", one["choices"][0]["message"]["content"]}});
  turns.push_back({{"role", "user"}, {"content", "And then?"}});
  body["messages"] = turns;
  auto second = Post("/v1/chat/completions", body);
  ASSERT_TRUE(second);
  ASSERT_EQ(second->status, 200) << second->body;
  const json two = json::parse(second->body);
  // At least the first turn's prompt (the tokenizer may split the seam between turns differently).
  const int cached = two["usage"]["prompt_tokens_details"]["cached_tokens"].get<int>();
  EXPECT_GE(cached, one["usage"]["prompt_tokens"].get<int>() - 2) << two["usage"];
  EXPECT_LT(cached, two["usage"]["prompt_tokens"].get<int>());
  EXPECT_EQ(Metric("prompt_tokens_reused_total"), cached);
}

TEST_F(ServerTest, ChatGoesThroughTheTemplateAndGivesLogprobs) {
  Start({});
  json body = {{"model", "stories260K"},
               {"messages", {{{"role", "user"}, {"content", "Tell me a story"}}}},
               {"max_tokens", 6}, {"temperature", 0}, {"logprobs", true}, {"top_logprobs", 2}};
  auto res = Post("/v1/chat/completions", body);
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  json r = json::parse(res->body);
  EXPECT_EQ(r["object"], "chat.completion");
  EXPECT_EQ(r["choices"][0]["message"]["role"], "assistant");
  const json& content = r["choices"][0]["logprobs"]["content"];
  ASSERT_FALSE(content.empty());
  EXPECT_EQ(content[0]["top_logprobs"].size(), 2u);
  EXPECT_LE(content[0]["logprob"].get<double>(), 0.0);
}

TEST_F(ServerTest, StreamingSendsServerSentEventsEndingWithDone) {
  Start({});
  json body = {{"model", "stories260K"}, {"prompt", "Once upon a time"}, {"max_tokens", 10}, {"temperature", 0},
               {"stream", true}, {"stream_options", {{"include_usage", true}}}};
  auto res = Post("/v1/completions", body);
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200);
  EXPECT_NE(res->get_header_value("Content-Type").find("text/event-stream"), std::string::npos);
  std::string streamed;
  std::string finish;
  bool usage = false;
  size_t pos = 0;
  while ((pos = res->body.find("data: ", pos)) != std::string::npos) {
    const size_t end = res->body.find("\n\n", pos);
    const std::string data = res->body.substr(pos + 6, end - pos - 6);
    pos = end;
    if (data == "[DONE]") break;
    json chunk = json::parse(data);
    if (chunk.contains("usage") && !chunk["usage"].is_null()) usage = true;
    if (chunk["choices"].empty()) continue;
    streamed += chunk["choices"][0]["text"].get<std::string>();
    if (!chunk["choices"][0]["finish_reason"].is_null()) finish = chunk["choices"][0]["finish_reason"];
  }
  EXPECT_NE(res->body.find("data: [DONE]"), std::string::npos);
  EXPECT_EQ(finish, "length");
  EXPECT_TRUE(usage);
  body["stream"] = false;
  auto whole = Post("/v1/completions", body);
  EXPECT_EQ(streamed, json::parse(whole->body)["choices"][0]["text"]);
}

TEST_F(ServerTest, BadRequestsGetOpenAiErrorBodies) {
  Start({.api_key = "sekrit"});
  const httplib::Headers key = {{"Authorization", "Bearer sekrit"}};
  auto no_key = Post("/v1/completions", {{"model", "stories260K"}, {"prompt", "a"}});
  ASSERT_TRUE(no_key);
  EXPECT_EQ(no_key->status, 401);
  EXPECT_EQ(Error(no_key)["code"], "invalid_api_key");

  auto bad_json = client_->Post("/v1/completions", key, "{not json", "application/json");
  ASSERT_TRUE(bad_json);
  EXPECT_EQ(bad_json->status, 400);
  EXPECT_NE(Error(bad_json)["message"].get<std::string>().find("invalid JSON"), std::string::npos);

  auto unknown = Post("/v1/completions", {{"model", "gpt-4"}, {"prompt", "a"}}, key);
  EXPECT_EQ(unknown->status, 400);
  EXPECT_EQ(Error(unknown)["code"], "model_not_found");

  auto too_long = Post("/v1/completions", {{"model", "stories260K"}, {"prompt", "Once upon a time"},
                                           {"max_tokens", 500}}, key);
  EXPECT_EQ(too_long->status, 400);
  EXPECT_EQ(Error(too_long)["code"], "context_length_exceeded");
  EXPECT_NE(Error(too_long)["message"].get<std::string>().find("context is 128 tokens"), std::string::npos);

  auto bad_field = Post("/v1/completions", {{"model", "stories260K"}, {"prompt", "a"}, {"temperature", "hot"}}, key);
  EXPECT_EQ(bad_field->status, 400);
  EXPECT_EQ(Error(bad_field)["param"], "temperature");

  auto embeddings = Post("/v1/embeddings", {{"model", "stories260K"}, {"input", "hello"}}, key);
  EXPECT_EQ(embeddings->status, 400);
  EXPECT_NE(Error(embeddings)["message"].get<std::string>().find("is not an encoder"), std::string::npos);

  auto missing = client_->Get("/v1/nothing", key);
  EXPECT_EQ(missing->status, 404);
  EXPECT_EQ(Error(missing)["code"], "not_found");
}

TEST_F(ServerTest, AFullQueueAnswers503WithRetryAfter) {
  Start({}, {.slots = 1, .context = 128, .max_queue = 0});
  // The only slot is busy with a long streaming request; the next one finds no room.
  json long_body = {{"model", "stories260K"}, {"prompt", "Once"}, {"max_tokens", 120}, {"temperature", 0},
                    {"stream", true}};
  std::thread busy([&] {
    httplib::Client c("127.0.0.1", server_->port());
    c.Post("/v1/completions", long_body.dump(), "application/json");
  });
  for (int i = 0; i < 500 && scheduler_->stats().active_slots == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  auto refused = Post("/v1/completions", {{"model", "stories260K"}, {"prompt", "a"}, {"max_tokens", 2}});
  busy.join();
  ASSERT_TRUE(refused);
  if (scheduler_->stats().requests_rejected == 0) GTEST_SKIP() << "the long request ended before the second came";
  EXPECT_EQ(refused->status, 503);
  EXPECT_EQ(refused->get_header_value("Retry-After"), "1");
}


// A non-streaming client that hangs up before its answer is ready is cancelled, so it does not hold a slot to
// the end. The scheduler starts only after the server has seen the hang-up (its handler gave up: the 499
// counts as an HTTP error), so the request is still queued then and must end cancelled, never admitted.
TEST_F(ServerTest, ANonStreamingClientThatHangsUpIsCancelled) {
  Start({}, {.slots = 1, .context = 128, .max_queue = 4}, nullptr, /*start_scheduler=*/false);
  const std::string body = json{{"model", "stories260K"}, {"prompt", "Once"}, {"max_tokens", 100}}.dump();
  const std::string request = "POST /v1/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                              "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(server_->port()));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(send(fd, request.data(), request.size(), 0), static_cast<ssize_t>(request.size()));
  for (int i = 0; i < 1000 && scheduler_->stats().queue_depth == 0 && Metric("http_errors_total") == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  close(fd);
  int64_t errors = 0;
  for (int i = 0; i < 1000 && (errors = Metric("http_errors_total")) == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_EQ(errors, 1) << "the server did not notice the hang-up within 10 s";
  scheduler_->Start();
  for (int i = 0; i < 1000 && scheduler_->stats().requests_finished == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_EQ(scheduler_->stats().requests_finished, 1);
  EXPECT_EQ(scheduler_->stats().requests_cancelled, 1);
}
}  // namespace
}  // namespace ttt::serve

namespace ttt::serve {
namespace {

// With an encoder beside the decoder (`ttt serve --embedding-model`), /v1/embeddings returns unit vectors in the
// model's pooling (bert-tiny: mean) that agree with llama.cpp's embeddings of the same texts.
TEST_F(ServerTest, EmbeddingsFromAnEncoderMatchLlamaCpp) {
  const std::string dir = std::string(TTT_FIXTURES_DIR) + "/bert-tiny";
  auto encoder = LoadEncoder(dir + "/hf");
  ASSERT_TRUE(encoder.ok()) << encoder.status();
  EncoderBackend backend(*std::move(encoder));
  Start({}, {.slots = 2, .context = 128, .max_queue = 4}, &backend);
  const json reference = json::parse(ReadFileToString(dir + "/reference.json").value_or(""));
  const json cases = reference["cases"];
  auto r = Post("/v1/embeddings", {{"model", "stories260K"}, {"input", {cases[0]["text"], cases[1]["text"]}}});
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  const json body = json::parse(r->body);
  ASSERT_EQ(body["data"].size(), 2u);
  EXPECT_EQ(body["usage"]["prompt_tokens"].get<size_t>(), cases[0]["tokens"].size() + cases[1]["tokens"].size());
  for (size_t i = 0; i < 2; ++i) {
    const std::vector<float> got = body["data"][i]["embedding"].get<std::vector<float>>();
    auto want = testing::ReadF32File(dir + "/" + cases[i]["embeddings"]["mean"].get<std::string>());
    ASSERT_TRUE(want.ok()) << want.status();
    ASSERT_EQ(want->size(), got.size());
    double norm = 0;
    for (float v : got) norm += double(v) * v;
    EXPECT_NEAR(norm, 1.0, 1e-5) << "OpenAI's embeddings are unit length";
    EXPECT_GE(testing::Cosine(got, *want), 0.9999) << "text " << i;
  }
}

}  // namespace
}  // namespace ttt::serve
