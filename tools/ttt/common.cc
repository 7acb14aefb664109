#include "tools/ttt/common.h"

#include "absl/strings/str_cat.h"
#include "core/runtime/status.h"
#include "core/runtime/threading.h"

namespace ttt::cli {

absl::StatusOr<BuildOptions> BuildOptionsFromArgs(const Args& args) {
  long long threads = 0;
  TTT_RETURN_IF_ERROR(args.GetInt("threads", 0, &threads));
  SetNumThreads(static_cast<int>(threads));
  BuildOptions build;
  std::string weights = args.Get("weights", "f32");
  if (weights == "int8") weights = "i8";
  auto dtype = ParseDType(weights);
  if (!dtype.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("--weights ", weights, ": use f32, bf16, int8, bfp8 or bfp4"));
  }
  build.linear_weight_dtype = *dtype;
  return build;
}

absl::StatusOr<LoadedModel> LoadModelFromArgs(const Args& args, bool require_tokenizer) {
  TTT_ASSIGN_OR_RETURN(BuildOptions build, BuildOptionsFromArgs(args));
  std::string model = args.Get("model");
  if (model.empty()) model = DemoModelPath();
  return LoadModel(model, args.Get("tokenizer"), require_tokenizer, build);
}

}  // namespace ttt::cli
