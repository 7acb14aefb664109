#include "core/blocks/linear/decode_arena.h"

#include <cstdlib>
#include <cstring>

#include "core/runtime/check.h"
#include "core/runtime/logging.h"
#include "core/runtime/system_memory.h"
#include "core/runtime/tensor.h"

namespace ttt {

void ChainDecodePrefetch(const std::vector<Linear*>& decode_order) {
  for (size_t i = 0; i + 1 < decode_order.size(); ++i) decode_order[i]->set_decode_successor(decode_order[i + 1]);
}

bool PanelsEnabled() {
  const char* env = std::getenv("TTT_PANELS");
  return env == nullptr || std::strcmp(env, "0") != 0;
}

void PackDecodeWeights(const std::vector<Linear*>& decode_order, const void* never_copy) {
  const bool panels = PanelsEnabled();
  // Mapped weights (a checkpoint, the weight cache) are copied too, unless the copy would take more
  // than half the memory still available: then they stay mapped, as llama.cpp's mmap leaves a model that
  // barely fits.
  struct Candidate {
    Linear* linear;
    bool mapped;
  };
  std::vector<Candidate> candidates;  // in decode order
  size_t mapped_bytes = 0;
  for (Linear* linear : decode_order) {
    const Tensor& values = linear->weight().values;
    if (linear->execution(Phase::kDecode).emulate_tt || !values.is_contiguous()) continue;
    if (values.raw_data() == never_copy) continue;
    if (!values.storage()->owned()) {
      candidates.push_back({linear, true});
      mapped_bytes += values.nbytes();
    } else if (values.storage().use_count() == 1) {
      candidates.push_back({linear, false});
    } else if (panels && linear->CanUsePanels() && values.storage()->size() == values.nbytes()) {
      // An f32 or bf16 weight still shared with its loader (the WeightMap a model was built from): the panels need a
      // copy of their own, and the loader's frees when it drops its map. (Not an arena: that holds several.)
      candidates.push_back({linear, false});
    }
  }
  const int64_t available = AvailableMemoryBytes();
  const bool copy_mapped = static_cast<int64_t>(mapped_bytes) <= available / 2;
  if (!copy_mapped) {
    spdlog::info("{:.2f} GiB of mapped weights stay mapped (a copy in huge pages would take more than half of the "
                 "{:.2f} GiB available): decoding reads them from 4 KiB pages",
                 mapped_bytes / 1073741824.0, available / 1073741824.0);
  }
  std::vector<Linear*> movable;
  for (const Candidate& c : candidates) {
    if (!c.mapped || copy_mapped) movable.push_back(c.linear);
  }
  auto bytes_of = [](const Linear* linear) {
    const size_t n = linear->weight().values.nbytes();
    return (n + kTensorAlignment - 1) / kTensorAlignment * kTensorAlignment;
  };
  for (size_t first = 0; first < movable.size();) {
    size_t end = first, bytes = 0;
    while (end < movable.size() && (end == first || bytes + bytes_of(movable[end]) <= kDecodeArenaBytes)) {
      bytes += bytes_of(movable[end++]);
    }
    if (bytes >= Storage::kHugePageBytes) {  // smaller: a huge page would be mostly padding
      const std::shared_ptr<Storage> arena = Storage::AllocateHugePages(bytes);
      size_t offset = 0;
      for (size_t i = first; i < end; ++i) {
        const Tensor& values = movable[i]->weight().values;
        auto view = Tensor::View(arena, offset, values.dtype(), values.shape());
        TTT_CHECK(view.ok()) << view.status();
        offset += bytes_of(movable[i]);
        movable[i]->MoveDecodeValues(*std::move(view), panels && movable[i]->CanUsePanels());
      }
    }
    first = end;
  }
}

}  // namespace ttt
