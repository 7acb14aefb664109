#include "tools/serve/metrics.h"

#include "absl/strings/str_cat.h"

namespace ttt::serve {
namespace {

void Metric(std::string* out, const char* name, const char* type, const char* help, double value) {
  absl::StrAppend(out, "# HELP ttt_", name, " ", help, "\n# TYPE ttt_", name, " ", type, "\nttt_", name, " ", value,
                  "\n");
}

}  // namespace

std::string PrometheusText(const BatchSchedulerStats& s, int32_t slots, int64_t http_requests, int64_t http_errors) {
  std::string out;
  Metric(&out, "http_requests_total", "counter", "HTTP requests received.", http_requests);
  Metric(&out, "http_errors_total", "counter", "HTTP responses with status >= 400.", http_errors);
  Metric(&out, "requests_total", "counter", "Generation requests accepted.", s.requests_submitted);
  Metric(&out, "requests_rejected_total", "counter", "Generation requests refused: queue full (503).",
         s.requests_rejected);
  Metric(&out, "requests_finished_total", "counter", "Generation requests finished (any reason).",
         s.requests_finished);
  Metric(&out, "requests_cancelled_total", "counter", "Generation requests cancelled (client gone).",
         s.requests_cancelled);
  Metric(&out, "prompt_tokens_total", "counter", "Prompt tokens prefilled.", s.prompt_tokens);
  Metric(&out, "prompt_tokens_reused_total", "counter", "Prompt tokens found in a slot's cache, not prefilled.",
         s.prompt_tokens_reused);
  Metric(&out, "generated_tokens_total", "counter", "Tokens generated.", s.generated_tokens);
  Metric(&out, "decode_steps_total", "counter", "Batched decode steps.", s.decode_steps);
  Metric(&out, "decode_seconds_total", "counter", "Seconds in decode steps (model and sampling).", s.decode_seconds);
  Metric(&out, "queue_depth", "gauge", "Requests waiting for a slot.", s.queue_depth);
  Metric(&out, "slots", "gauge", "Slots (sequences decoded together at most).", slots);
  Metric(&out, "slots_active", "gauge", "Slots holding a request.", s.active_slots);
  Metric(&out, "batch_size", "gauge", "Sequences in the last decode step.", s.last_batch_size);
  Metric(&out, "tokens_per_second", "gauge", "Generated tokens per second over the last seconds of decoding.",
         s.recent_tokens_per_second);
  return out;
}

}  // namespace ttt::serve
