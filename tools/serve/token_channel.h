// Hands one request's tokens from the scheduler's thread to the HTTP thread answering it. The scheduler only
// queues (it must not wait on a slow client: every slot shares its steps); the HTTP thread formats and writes.
// When the client is gone, the next token is refused, which cancels the request and frees its slot.
#pragma once

#include <chrono>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>

#include "core/generation/batching/batch_scheduler.h"

namespace ttt::serve {

class TokenChannel : public BatchSink {
 public:
  explicit TokenChannel(bool streaming) : streaming_(streaming) {}
  bool OnToken(const BatchToken& token) override;
  void OnDone(const BatchOutcome& outcome) override;

  // Waits up to `timeout` for tokens; moves those queued into `out`. Returns the outcome once the request is
  // over and every token was taken.
  std::optional<BatchOutcome> Take(std::deque<BatchToken>* out, std::chrono::milliseconds timeout);
  // The client went away: the next OnToken refuses.
  void Abandon();
  // The HTTP thread has written what it took (or the channel is not being read): see BatchSink::Drained.
  bool Drained() const override { return !pending_.load(std::memory_order_acquire); }
  void MarkWritten();

 private:
  std::mutex mu_;
  std::condition_variable ready_;
  std::deque<BatchToken> tokens_;
  std::optional<BatchOutcome> outcome_;
  bool abandoned_ = false;
  // Tokens queued or taken and not yet written. Only streaming responses mark what they wrote; a whole
  // response is written at the end, so its channel never holds the steps back.
  const bool streaming_;
  std::atomic<bool> pending_{false};
};

}  // namespace ttt::serve
