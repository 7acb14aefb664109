// `ttt.Model.generate`: a Python iterator over generated tokens. Each next() runs the library's
// BatchScheduler (one slot, driven from the calling thread, the GIL released) until it hands out a token, so
// text streams as it is made and stopping early (break) costs nothing more.
#pragma once

#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/generation/batching/batch_scheduler.h"
#include "python/src/model.h"

namespace ttt::python {

// One step of the stream: a generated token and the text that became final with it (often "" inside a
// multi-byte character or while it could still start a stop string). The last item may have no token: the
// text held back until the end.
struct StreamedToken {
  std::optional<int32_t> id;
  std::string text;
};

class Generation {
 public:
  // Checks everything and queues the request (errors as the library's Status); nothing is computed yet.
  // `context` 0: prompt + max_new_tokens, capped at the model's.
  static absl::StatusOr<std::unique_ptr<Generation>> Start(std::shared_ptr<ModelHandle> model, BatchRequest request,
                                                           int64_t context);

  // The next item; none when the generation is over. Call without the GIL.
  absl::StatusOr<std::optional<StreamedToken>> Next();

  // After the end: why it stopped ("eos", "stop-string", "budget", "cancelled"); "" before.
  std::string stop_reason() const;
  const std::vector<int32_t>& prompt_tokens() const { return prompt_; }
  const std::vector<int32_t>& tokens() const { return tokens_; }
  const std::string& text() const { return text_; }

 private:
  struct Sink;
  Generation() = default;

  std::shared_ptr<ModelHandle> model_;  // first: outlives the scheduler, which refers to it
  std::unique_ptr<BatchScheduler> scheduler_;
  std::shared_ptr<Sink> sink_;
  std::vector<int32_t> prompt_, tokens_;
  std::string text_;
  bool finished_ = false;
  std::mutex mutex_;  // one Next at a time (Python threads may share the iterator)
};

}  // namespace ttt::python
