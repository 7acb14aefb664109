// How a decode step streams its projections' weights: in decode order, each projection prefetching the
// start of the next one's weight (Linear::set_decode_successor), from arenas of huge pages. A pattern says
// which projections a step runs in which order (CausalLm::DecodeProjections); these functions do the rest.
#pragma once

#include <cstddef>
#include <vector>

#include "core/blocks/linear/linear.h"

namespace ttt {

// Tells each projection of `decode_order` which one a decode step runs after it.
void ChainDecodePrefetch(const std::vector<Linear*>& decode_order);

// Decoding streams every projection's weight from DRAM once per token. Converted weights are separate
// allocations, and only those of at least 2 MiB get huge pages (core/runtime/tensor.cc): most bytes of a
// compressed model sat in 4 KiB pages, at whose boundaries the hardware prefetchers stop. This copies them,
// in decode order, into arenas of whole huge pages of about kDecodeArenaBytes each (so packing converted
// weights needs at most one arena of extra memory). Call it after every (re-)specialisation. Measured
// (SmolLM-135M shape, 2 threads, f32 reading 69-74 GB/s): bf16 1.85-1.87x -> 1.86-1.93x of f32; the other
// formats unchanged; no change when memory is slower. Mapped weights (checkpoint, weight cache) are copied
// as well while they fit in half the available memory, so a model's second load (weights mapped from the
// weight cache, in the page cache's 4 KiB pages) decodes from the same memory as its first (converted at
// load); the page size alone moved a cold bf16 GEMV from 52.6 to 66.9 GB/s (session 5).
//
// Skipped: emulated-Tenstorrent projections, non-contiguous weights, weights already shared (packed), and
// a weight whose bytes start at `never_copy` (a tied head reading the embedding table, which a copy would
// hold twice). An f32 weight shared only with its loader (the WeightMap the model was built from) is copied
// when it goes into panels (below): until the loader drops its map, both copies are held.
//
// f32 weights, and bf16 ones on CPUs with AVX512-BF16 (one part, prefill on the CPU too), are copied into
// panels (Linear::MoveDecodeValues): the panel kernels' layout, in the same bytes. TTT_PANELS=0 keeps them
// row-major (for comparisons).
void PackDecodeWeights(const std::vector<Linear*>& decode_order, const void* never_copy);
bool PanelsEnabled();

inline constexpr size_t kDecodeArenaBytes = size_t{64} << 20;

}  // namespace ttt
