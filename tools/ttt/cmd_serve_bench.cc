// ttt serve-bench: what continuous batching buys, measured through the HTTP server as clients see it (not a
// test: it judges nothing, it prints). Phase 1: one streaming client, then --clients concurrent ones, each
// doing --rounds requests of -n tokens; the aggregate tokens/s of both and their ratio. Phase 2: --requests
// streaming requests from --clients threads, a random --cancel share of them dropped mid-stream; checks that
// every request ended exactly once (completed ones with one finish reason and one [DONE], the server's
// counters balanced, every slot free again).
#include <httplib.h>

#include <atomic>
#include <chrono>
#include <iostream>
#include <random>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "core/factory/synthetic.h"
#include "core/runtime/status.h"
#include "core/runtime/threading.h"
#include "core/specs/validate.h"
#include "core/tokenizers/tokenizer_loader.h"
#include "nlohmann/json.hpp"
#include "tools/serve/server.h"
#include "tools/ttt/common.h"

namespace ttt::cli {
namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

struct StreamResult {
  bool ok = false;         // HTTP 200 and a well-formed stream
  int status = 0;
  int tokens = 0;          // usage.completion_tokens
  int finish_chunks = 0;   // chunks with a finish_reason
  int done_markers = 0;    // "data: [DONE]"
  bool cancelled = false;  // we hung up
};

// One streaming completion of `prompt` ids; hangs up after `cancel_after` chunks when >= 0.
StreamResult Stream(int port, const std::vector<int32_t>& prompt, int max_tokens, float temperature, uint64_t seed,
                    int cancel_after) {
  httplib::Client client("127.0.0.1", port);
  client.set_read_timeout(600, 0);
  json body = {{"model", "bench"}, {"prompt", prompt}, {"max_tokens", max_tokens}, {"temperature", temperature},
               {"top_p", 0.95}, {"seed", seed}, {"stream", true}, {"ignore_eos", true},
               {"stream_options", {{"include_usage", true}}}};
  StreamResult result;
  std::string buffer;
  int chunks = 0;
  httplib::Request req;
  req.method = "POST";
  req.path = "/v1/completions";
  req.body = body.dump();
  req.set_header("Content-Type", "application/json");
  req.content_receiver = [&](const char* data, size_t size, uint64_t, uint64_t) {
    buffer.append(data, size);
    size_t end;
    while ((end = buffer.find("\n\n")) != std::string::npos) {
      std::string event = buffer.substr(0, end);
      buffer.erase(0, end + 2);
      if (event.rfind("data: ", 0) != 0) continue;
      event.erase(0, 6);
      if (event == "[DONE]") {
        ++result.done_markers;
        continue;
      }
      json chunk = json::parse(event, nullptr, false);
      if (chunk.is_discarded()) return false;
      if (chunk.contains("usage") && chunk["usage"].is_object()) result.tokens = chunk["usage"]["completion_tokens"];
      if (chunk.contains("choices") && !chunk["choices"].empty() && !chunk["choices"][0]["finish_reason"].is_null()) {
        ++result.finish_chunks;
      }
      if (cancel_after >= 0 && ++chunks >= cancel_after) {
        result.cancelled = true;
        return false;  // hang up
      }
    }
    return true;
  };
  auto res = client.send(req);
  result.status = res ? res->status : 0;
  result.ok = res && res->status == 200;
  return result;
}

// Aggregate generated tokens/s of `clients` threads each streaming `rounds` requests.
double Throughput(int port, int clients, int rounds, const std::vector<int32_t>& prompt, int n, float temperature,
                  int* failures) {
  std::atomic<int64_t> tokens{0};
  std::atomic<int> failed{0};
  const auto start = Clock::now();
  std::vector<std::thread> threads;
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&, c] {
      for (int r = 0; r < rounds; ++r) {
        StreamResult s = Stream(port, prompt, n, temperature, 1000 * c + r, -1);
        if (!s.ok || s.tokens != n) ++failed;
        tokens += s.tokens;
      }
    });
  }
  for (auto& t : threads) t.join();
  *failures = failed;
  return tokens / std::chrono::duration<double>(Clock::now() - start).count();
}

// Where a step's time goes, without HTTP: CausalLm::Decode of a batch of 1, 2, 4... `slots` sequences
// (ms per step), and sampling one token at `temperature`, top-p 0.95.
absl::Status DecodeProfile(const CausalLm& model, int slots, const std::vector<int32_t>& prompt, float temperature) {
  std::cout << "decode step (model only):";
  for (int batch = 1; batch <= slots; batch *= 2) {
    TTT_ASSIGN_OR_RETURN(auto state, model.NewState(batch, static_cast<int64_t>(prompt.size()) + 64));
    std::vector<float> logits(static_cast<size_t>(batch) * model.vocab_size());
    std::vector<int32_t> ids(batch), tokens(batch, prompt.back());
    for (int b = 0; b < batch; ++b) {
      ids[b] = b;
      TTT_RETURN_IF_ERROR(model.Prefill(*state, b, prompt, logits.data(), false));
    }
    TTT_RETURN_IF_ERROR(model.Decode(*state, ids, tokens, logits.data()));  // warm-up
    const int steps = 12;
    const auto start = Clock::now();
    for (int i = 0; i < steps; ++i) TTT_RETURN_IF_ERROR(model.Decode(*state, ids, tokens, logits.data()));
    const double ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count() / steps;
    std::cout << absl::StrFormat(" batch %d %.1f ms (%.1f ms/token)", batch, ms, ms / batch) << std::flush;
    if (batch * 2 > slots && batch != slots) batch = slots / 2;  // end on `slots` itself
  }
  std::vector<float> logits(model.vocab_size());
  std::mt19937 gen(3);
  std::normal_distribution<float> normal(0, 2);
  for (float& l : logits) l = normal(gen);
  Sampler sampler({.temperature = temperature, .top_p = 0.95f});
  const auto start = Clock::now();
  for (int i = 0; i < 200; ++i) sampler.Sample(logits, {});
  std::cout << absl::StrFormat("; sampling %.3f ms/token\n",
                               std::chrono::duration<double, std::milli>(Clock::now() - start).count() / 200);
  return absl::OkStatus();
}

absl::Status RunServeBench(const Args& args) {
  long long clients = 0, rounds = 0, n = 0, p = 0, requests = 0, threads = 0, drain_us = 0;
  double temperature = 0, cancel = 0;
  TTT_RETURN_IF_ERROR(args.GetInt("clients", &clients));
  TTT_RETURN_IF_ERROR(args.GetInt("rounds", &rounds));
  TTT_RETURN_IF_ERROR(args.GetInt("n-gen", &n));
  TTT_RETURN_IF_ERROR(args.GetInt("n-prompt", &p));
  TTT_RETURN_IF_ERROR(args.GetInt("requests", &requests));
  TTT_RETURN_IF_ERROR(args.GetDouble("temp", &temperature));
  TTT_RETURN_IF_ERROR(args.GetDouble("cancel", &cancel));
  TTT_RETURN_IF_ERROR(args.GetInt("threads", &threads));
  TTT_RETURN_IF_ERROR(args.GetInt("drain-us", &drain_us));
  if (args.Has("shape") && args.Has("model")) return absl::InvalidArgumentError("give --model PATH or --shape NAME, not both");
  const std::string shape = args.Has("model") ? "" : args.Get("shape");
  const std::string model_path = args.Get("model"), tokenizer_path = args.Get("tokenizer");
  const bool profile = args.Has("profile");
  if (clients < 1 || rounds < 1 || n < 1 || p < 1 || requests < 0 || !(cancel >= 0 && cancel <= 1)) {
    return absl::InvalidArgumentError("--clients, --rounds, -n, -p must be >= 1, --requests >= 0, --cancel in [0, 1]");
  }
  TTT_ASSIGN_OR_RETURN(BuildOptions build, BuildOptionsFromArgs(args));
  LoadedModel loaded;
  if (!shape.empty()) {
    if (tokenizer_path.empty()) {
      return absl::InvalidArgumentError(
          "a --shape has no tokenizer: give one with the same vocabulary, e.g. --tokenizer "
          "tests/fixtures/tokenizers/vocab-tests/ggml-vocab-starcoder.gguf for smollm-135m (49152 tokens)");
    }
    TTT_ASSIGN_OR_RETURN(spec::ModelSpec named, NamedShape(shape));
    TTT_ASSIGN_OR_RETURN(auto spec, ValidateModel(std::move(named)));
    TTT_ASSIGN_OR_RETURN(loaded.model, CausalLm::Create(spec, SyntheticWeights(spec, 1234), build));
    TTT_ASSIGN_OR_RETURN(loaded.tokenizer, tokenizers::LoadTokenizer(tokenizer_path));
    loaded.source = absl::StrCat(shape, " (random weights)");
  } else {
    TTT_ASSIGN_OR_RETURN(loaded, LoadModelFromArgs(args, /*require_tokenizer=*/true));
  }
  SetNumThreads(static_cast<int>(threads));

  const int64_t context = std::min<int64_t>(loaded.model->spec().max_seq_len(), 2 * (p + n) + 64);
  TTT_ASSIGN_OR_RETURN(auto scheduler,
                       BatchScheduler::Create(*loaded.model, *loaded.tokenizer,
                                              {.slots = static_cast<int32_t>(clients), .context = context,
                                               .max_queue = static_cast<int32_t>(4 * clients),
                                               .drain_wait = std::chrono::microseconds(drain_us)}));
  serve::Server server(*loaded.model, *loaded.tokenizer, nullptr, *scheduler, nullptr,
                       {.port = 0, .model_id = "bench", .http_threads = static_cast<int>(4 * clients + 8)});
  TTT_RETURN_IF_ERROR(server.Bind());
  scheduler->Start();
  std::thread http([&] { (void)server.Run(); });
  const int port = server.port();

  std::mt19937 gen(7);
  std::vector<int32_t> prompt(p);
  for (auto& t : prompt) t = static_cast<int32_t>(gen() % loaded.model->vocab_size());
  std::cout << "serve-bench: " << loaded.source << ", " << NumThreads() << " threads, " << clients << " slots, prompt "
            << p << " tokens, " << n << " generated per request, temperature " << temperature << "\n";
  if (profile) {
    TTT_RETURN_IF_ERROR(DecodeProfile(*loaded.model, static_cast<int>(clients), prompt, static_cast<float>(temperature)));
  }
  int failures = 0, f = 0;
  Throughput(port, 1, 1, prompt, 8, static_cast<float>(temperature), &f);  // warm-up
  const double one = Throughput(port, 1, static_cast<int>(rounds), prompt, n, static_cast<float>(temperature), &f);
  failures += f;
  const BatchSchedulerStats before_many = scheduler->stats();
  const auto many_start = Clock::now();
  const double many =
      Throughput(port, static_cast<int>(clients), static_cast<int>(rounds), prompt, n, static_cast<float>(temperature), &f);
  const double many_seconds = std::chrono::duration<double>(Clock::now() - many_start).count();
  failures += f;
  const BatchSchedulerStats after_throughput = scheduler->stats();
  std::cout << absl::StrFormat("1 client: %.1f tokens/s; %d clients: %.1f tokens/s aggregate; ratio %.2fx%s\n", one,
                               clients, many, many / one, failures ? absl::StrCat(" (", failures, " failed)") : "");
  // Where the clients' wall time went: decode steps (model and sampling), and the rest (prefill, HTTP,
  // waiting for the HTTP threads between steps, the clients' own work on the same cores).
  const int64_t steps = after_throughput.decode_steps - before_many.decode_steps;
  const double step_seconds = after_throughput.decode_seconds - before_many.decode_seconds;
  if (steps > 0) {
    std::cout << absl::StrFormat(
        "  %d clients' %.2f s: %d decode steps of %.1f sequences on average, %.1f ms each (model and sampling) = "
        "%.0f%% of the time; prefill, HTTP and the rest %.2f s\n",
        clients, many_seconds, steps,
        double(after_throughput.generated_tokens - before_many.generated_tokens) / steps, 1e3 * step_seconds / steps,
        100 * step_seconds / many_seconds, many_seconds - step_seconds);
  }

  // Phase 2: many requests, some dropped mid-stream.
  std::atomic<int64_t> next{0}, completed{0}, cancelled{0}, bad{0}, busy{0};
  const auto start = Clock::now();
  std::vector<std::thread> workers;
  for (int c = 0; c < clients * 2; ++c) {
    workers.emplace_back([&, c] {
      std::mt19937 rng(100 + c);
      for (int64_t i; (i = next++) < requests;) {
        const int cancel_after = std::uniform_real_distribution<>(0, 1)(rng) < cancel ? static_cast<int>(rng() % 6) : -1;
        const int tokens = 4 + static_cast<int>(rng() % 12);
        StreamResult s;
        while ((s = Stream(port, prompt, tokens, static_cast<float>(temperature), i, cancel_after)).status == 503) {
          ++busy;  // the queue was full: told to retry
          std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        if (s.cancelled) {
          ++cancelled;
        } else if (s.ok && s.finish_chunks == 1 && s.done_markers == 1 && s.tokens == tokens) {
          ++completed;
        } else {
          ++bad;
        }
      }
    });
  }
  for (auto& t : workers) t.join();
  // Cancellations are seen at the next step: give the scheduler a moment to settle.
  for (int i = 0; i < 500 && scheduler->stats().active_slots + scheduler->stats().queue_depth > 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  const BatchSchedulerStats s = scheduler->stats();
  const int64_t submitted = s.requests_submitted - after_throughput.requests_submitted;
  const int64_t finished = s.requests_finished - after_throughput.requests_finished;
  const bool balanced = submitted == finished && s.active_slots == 0 && s.queue_depth == 0 && bad == 0 &&
                        completed + cancelled == requests;
  std::cout << absl::StrFormat(
      "%d requests in %.1f s: %d completed, %d hung up by the client (%d seen by the server as cancelled), %d "
      "malformed, %d retried after 503; server: %d accepted, %d finished, %d slots busy -> %s\n",
      requests, std::chrono::duration<double>(Clock::now() - start).count(), completed.load(), cancelled.load(),
      s.requests_cancelled - after_throughput.requests_cancelled, bad.load(), busy.load(), submitted, finished,
      s.active_slots, balanced ? "none lost, none answered twice" : "MISMATCH");
  server.Stop();
  http.join();
  scheduler->Stop();
  if (!balanced) return absl::InternalError("requests were lost or answered twice (see above)");
  return absl::OkStatus();
}

TTT_COMMAND({"serve-bench",
             "continuous batching through ttt serve: N streaming clients against 1, and requests cancelled at random",
             Flags({{{"--shape", "a named shape with random weights (needs --tokenizer), unless --model", "smollm-135m"},
                     {"--clients", "streaming clients", "8", FlagKind::kInt},
                     {"--rounds", "rounds of requests per client", "1", FlagKind::kInt},
                     {"-p,--n-prompt", "prompt tokens per request", "16", FlagKind::kInt},
                     {"-n,--n-gen", "tokens generated per request", "96", FlagKind::kInt},
                     {"--temp,--temperature", "sampling temperature of the requests", "0.8", FlagKind::kNumber},
                     {"--requests", "requests of the cancellation test", "1000", FlagKind::kInt},
                     {"--cancel", "fraction of those cancelled at random", "0.3", FlagKind::kNumber},
                     {"--profile", "first time the model's decode step per batch size", "", FlagKind::kSwitch},
                     {"--drain-us", "longest wait for the HTTP threads before a step (microseconds)", "3000",
                      FlagKind::kInt}},
                    ModelFlags(), ThreadsFlag(), HardwareFlags()}),
             RunServeBench});

}  // namespace
}  // namespace ttt::cli
