#include "tools/serve/token_channel.h"

namespace ttt::serve {

bool TokenChannel::OnToken(const BatchToken& token) {
  std::lock_guard<std::mutex> lock(mu_);
  if (abandoned_) return false;
  tokens_.push_back(token);
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

void TokenChannel::Abandon() {
  std::lock_guard<std::mutex> lock(mu_);
  abandoned_ = true;
}

}  // namespace ttt::serve
