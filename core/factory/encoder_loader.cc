#include "core/factory/encoder_loader.h"

#include "absl/strings/str_cat.h"
#include "core/formats/bert/bert_checkpoint.h"
#include "core/patterns/encoder/encoder_descriptor.h"
#include "core/runtime/status.h"
#include "core/tokenizers/tokenizer_loader.h"

namespace ttt {

absl::StatusOr<LoadedEncoder> LoadEncoder(const std::string& path, const EncoderLoadOptions& options) {
  TTT_RETURN_IF_ERROR(RegisterEncoder());
  TTT_ASSIGN_OR_RETURN(formats::EncoderCheckpoint ckpt, formats::LoadEncoderCheckpoint(path));
  LoadedEncoder loaded;
  loaded.source = ckpt.source;
  loaded.format = ckpt.format;
  const DeviceOptions& device_options = options.run_as;
  const std::string on_device = absl::StrCat("encoder '", path, "' on ", device_options.device);
  // Before any weight is read: a model that does not fit the device is refused from its spec.
  absl::Status fits = Encoder::CheckFits(ckpt.spec, device_options);
  if (!fits.ok()) return Annotate(fits, on_device);
  absl::StatusOr<std::unique_ptr<Encoder>> encoder = Encoder::Create(ckpt.spec, ckpt.weights);
  if (!encoder.ok()) return Annotate(encoder.status(), absl::StrCat("encoder '", path, "'"));
  loaded.encoder = *std::move(encoder);
  absl::Status device = loaded.encoder->UseDevice(device_options);
  if (!device.ok()) return Annotate(device, on_device);
  const std::string tokenizer_path = options.tokenizer_path.empty() ? ckpt.tokenizer_path : options.tokenizer_path;
  if (tokenizer_path.empty()) {
    if (options.require_tokenizer) {
      return absl::NotFoundError(absl::StrCat("encoder '", path, "' ships no tokenizer (tokenizer.json, or one inside ",
                                              "the GGUF); pass one with --tokenizer"));
    }
    return loaded;
  }
  absl::StatusOr<std::unique_ptr<tokenizers::Tokenizer>> tokenizer = tokenizers::LoadTokenizer(tokenizer_path);
  if (!tokenizer.ok()) return Annotate(tokenizer.status(), absl::StrCat("tokenizer of encoder '", path, "'"));
  if ((*tokenizer)->vocab_size() > loaded.encoder->vocab_size()) {
    return absl::InvalidArgumentError(absl::StrCat("tokenizer '", tokenizer_path, "' has ", (*tokenizer)->vocab_size(),
                                                   " tokens but encoder '", path, "' embeds only ",
                                                   loaded.encoder->vocab_size(), "; they do not belong together"));
  }
  loaded.tokenizer = *std::move(tokenizer);
  return loaded;
}

}  // namespace ttt
