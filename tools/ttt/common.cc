#include "tools/ttt/common.h"

#include "core/runtime/status.h"
#include "core/runtime/threading.h"

namespace ttt::cli {

absl::StatusOr<LoadedModel> LoadModelFromArgs(const Args& args, bool require_tokenizer) {
  long long threads = 0;
  TTT_RETURN_IF_ERROR(args.GetInt("threads", 0, &threads));
  SetNumThreads(static_cast<int>(threads));
  std::string model = args.Get("model");
  if (model.empty()) model = DemoModelPath();
  return LoadModel(model, args.Get("tokenizer"), require_tokenizer);
}

}  // namespace ttt::cli
