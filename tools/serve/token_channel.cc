#include "tools/serve/token_channel.h"

namespace ttt::serve {

bool TokenChannel::OnToken(const BatchToken& token) {
  std::lock_guard<std::mutex> lock(mu_);
  if (abandoned_) return false;
  tokens_.push_back(token);
  if (streaming_) pending_.store(true, std::memory_order_release);
  ready_.notify_all();
  return true;
}

void TokenChannel::OnDone(const BatchOutcome& outcome) {
  std::lock_guard<std::mutex> lock(mu_);
  outcome_ = outcome;
  ready_.notify_all();
}

std::optional<BatchOutcome> TokenChannel::Take(std::deque<BatchToken>* out, std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mu_);
  ready_.wait_for(lock, timeout, [&] { return !tokens_.empty() || outcome_.has_value(); });
  while (!tokens_.empty()) {
    out->push_back(std::move(tokens_.front()));
    tokens_.pop_front();
  }
  return outcome_;
}

void TokenChannel::MarkWritten() {
  std::lock_guard<std::mutex> lock(mu_);
  pending_.store(!tokens_.empty(), std::memory_order_release);
}

void TokenChannel::Abandon() {
  std::lock_guard<std::mutex> lock(mu_);
  abandoned_ = true;
  pending_.store(false, std::memory_order_release);
}

}  // namespace ttt::serve
