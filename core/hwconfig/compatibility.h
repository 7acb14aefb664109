// Validation of a resolved hardware config against its device, before any weight is loaded: number formats
// and fidelities the device has, layouts that divide over its cores, outputs that fit L1, weights + KV cache
// that fit DRAM for a batch and context. Every problem names the module, layer and op, the numbers, and
// what to try instead.
#pragma once

#include <string>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "core/hwconfig/resolve.h"
#include "core/hwconfig/tensor_parallel.h"

namespace ttt {

// Bytes a model's weights and KV cache take under `config` (DRAM-resident state): the whole model, or with
// `plan` one chip's share of it (split ops 1/ways, the embedding table split, its KV heads only, the rest
// replicated), which is what must fit a chip: DRAM is never pooled across chips.
struct ModelFootprint {
  // Weight bytes per footprint group of the module descriptors ("attention", "mlp", "head and embeddings"),
  // in the order the model first lists them.
  std::vector<std::pair<std::string, double>> weights_by_group;
  double kv_cache = 0;
  double weights() const;
  double total() const { return weights() + kv_cache; }
  void AddWeights(const std::string& group, double bytes);
};
ModelFootprint EstimateFootprint(const Validated<spec::ModelSpec>& spec, const ResolvedHwConfig& config, int64_t batch,
                                 int64_t context, const TensorParallelPlan* plan = nullptr);

// One module's weight bytes on `device` under `module` (null: the device's natural format, bf16 on a
// Tenstorrent device and f32 on the cpu): each weight op in its decode format plus its prefill copy when that
// format differs, and the module's other weights (tables, norms) in the natural format.
double ModuleWeightBytes(const ModuleDescriptor& descriptor, const google::protobuf::Message& spec,
                         const ResolvedModuleConfig* module, const hw::DeviceProfile& device);

// For the patterns that run on one chip of a device (an encoder, an encoder-decoder): OK when `weight_bytes`
// fit one chip's DRAM, else FailedPrecondition naming `what`, the bytes against the DRAM, and what to try
// (smaller weight formats with `bfp4_weight_bytes()`, the weights in bfp4, asked only then, 0 when unknown;
// devices whose chips hold them).
absl::Status CheckWeightsFitOneChip(const std::string& what, double weight_bytes,
                                    absl::FunctionRef<double()> bfp4_weight_bytes,
                                    const hw::DeviceProfile& device);

// Every problem, one message each (identical problems of consecutive layers are merged into one that
// names the layer range). Empty: the config fits. `context` 0 means the spec's max_seq_len.
std::vector<std::string> CheckHardwareCompatibility(const Validated<spec::ModelSpec>& spec, const ResolvedHwConfig& config,
                                                    int64_t batch, int64_t context);
// Resolves the device's defaults for `mode` (plus `model_file` when not null) first.
absl::StatusOr<std::vector<std::string>> CheckHardwareCompatibility(const Validated<spec::ModelSpec>& spec,
                                                                    const std::string& device, hw::ConfigMode mode,
                                                                    const hw::ModelHwConfig* model_file,
                                                                    int64_t batch, int64_t context,
                                                                    const std::string& model_file_name = "model file");

// OK, or one InvalidArgument listing every problem.
absl::Status ValidateHwConfig(const Validated<spec::ModelSpec>& spec, const ResolvedHwConfig& config, int64_t batch,
                              int64_t context);

}  // namespace ttt
