#include "core/blocks/core_modules.h"

#include "core/blocks/attention/attention_descriptor.h"
#include "core/blocks/embedding/embedding_descriptor.h"
#include "core/blocks/lm_head/lm_head_descriptor.h"
#include "core/blocks/mlp/mlp_descriptor.h"
#include "core/blocks/moe/moe_descriptor.h"
#include "core/blocks/norm/norm_descriptor.h"

namespace ttt {

std::vector<ModuleDescriptor> CoreModuleDescriptors() {
  std::vector<ModuleDescriptor> out;
  out.push_back(TokenEmbeddingDescriptor());
  out.push_back(PositionEmbeddingDescriptor());
  out.push_back(NormDescriptor());
  out.push_back(AttentionDescriptor());
  out.push_back(MlpDescriptor());
  out.push_back(MoeDescriptor());
  out.push_back(LmHeadDescriptor());
  return out;
}

}  // namespace ttt
