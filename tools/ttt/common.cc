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
  TTT_ASSIGN_OR_RETURN(build.linear_weight_dtype, ParseWeightDType(args.Get("weights", "f32")));
  return build;
}

absl::StatusOr<DType> ParseWeightDType(const std::string& name) {
  auto dtype = ParseDType(name == "int8" ? "i8" : name);
  if (!dtype.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("--weights ", name, ": use f32, bf16, int8, bfp8 or bfp4"));
  }
  return *dtype;
}

absl::StatusOr<LoadedModel> LoadModelFromArgs(const Args& args, bool require_tokenizer) {
  TTT_ASSIGN_OR_RETURN(BuildOptions build, BuildOptionsFromArgs(args));
  std::string model = args.Get("model");
  if (model.empty()) model = DemoModelPath();
  return LoadModel(model, args.Get("tokenizer"), require_tokenizer, build);
}

}  // namespace ttt::cli
