#include "core/factory/seq2seq_loader.h"

#include "absl/strings/str_cat.h"
#include "core/formats/t5/t5_checkpoint.h"
#include "core/patterns/seq2seq/seq2seq_descriptor.h"
#include "core/runtime/status.h"
#include "core/tokenizers/tokenizer_loader.h"

namespace ttt {

absl::StatusOr<LoadedSeq2Seq> LoadSeq2Seq(const std::string& path, const Seq2SeqLoadOptions& options) {
  TTT_RETURN_IF_ERROR(RegisterSeq2Seq());
  TTT_ASSIGN_OR_RETURN(formats::Seq2SeqCheckpoint ckpt, formats::LoadSeq2SeqCheckpoint(path));
  LoadedSeq2Seq loaded;
  loaded.source = ckpt.source;
  loaded.format = ckpt.format;
  const DeviceOptions& device_options = options.run_as;
  const std::string on_device = absl::StrCat("seq2seq model '", path, "' on ", device_options.device);
  // Before any weight is read: a model that does not fit the device is refused from its spec.
  absl::Status fits = Seq2SeqLm::CheckFits(ckpt.spec, device_options);
  if (!fits.ok()) return Annotate(fits, on_device);
  absl::StatusOr<std::unique_ptr<Seq2SeqLm>> model = Seq2SeqLm::Create(ckpt.spec, ckpt.weights);
  if (!model.ok()) return Annotate(model.status(), absl::StrCat("seq2seq model '", path, "'"));
  loaded.model = *std::move(model);
  absl::Status device = loaded.model->UseDevice(device_options);
  if (!device.ok()) return Annotate(device, on_device);
  const std::string tokenizer_path = options.tokenizer_path.empty() ? ckpt.tokenizer_path : options.tokenizer_path;
  if (tokenizer_path.empty()) {
    if (options.require_tokenizer) {
      return absl::NotFoundError(absl::StrCat("model '", path, "' ships no tokenizer (tokenizer.json, or one inside ",
                                              "the GGUF); pass one with --tokenizer"));
    }
    return loaded;
  }
  absl::StatusOr<std::unique_ptr<tokenizers::Tokenizer>> tokenizer = tokenizers::LoadTokenizer(tokenizer_path);
  if (!tokenizer.ok()) return Annotate(tokenizer.status(), absl::StrCat("tokenizer of model '", path, "'"));
  if ((*tokenizer)->vocab_size() > loaded.model->vocab_size()) {
    return absl::InvalidArgumentError(absl::StrCat("tokenizer '", tokenizer_path, "' has ", (*tokenizer)->vocab_size(),
                                                   " tokens but model '", path, "' embeds only ",
                                                   loaded.model->vocab_size(), "; they do not belong together"));
  }
  loaded.tokenizer = *std::move(tokenizer);
  return loaded;
}

}  // namespace ttt
