// Shape facts every module's rules and the validator share: does a layout divide over a device's core
// grid, does an op's output fit L1. One definition, so a default a rule keeps never fails validation.
#pragma once

#include <cstdint>
#include <string>

#include "core/hwconfig/proto/device_profile.pb.h"
#include "core/hwconfig/proto/op_config.pb.h"
#include "core/hwconfig/resolved_config.h"
#include "core/runtime/phase.h"

namespace ttt {

inline constexpr int64_t kTileSize = 32;  // Tenstorrent tiles are 32x32 (notes §3)

// "" when an output [rows, cols] can take `layout` on the device's compute grid, else why not (with the
// numbers): width/height sharding need the 32-wide column/row tiles to divide by the grid's core count,
// block sharding columns by grid x and rows by grid y.
std::string ShardProblem(hw::TensorLayout layout, int64_t rows, int64_t cols, const hw::DeviceProfile& device);

// Bytes per core of an output [rows, cols] in `dtype` spread over the compute grid (rows padded to tiles).
int64_t L1BytesPerCore(int64_t rows, int64_t cols, hw::DType dtype, const hw::DeviceProfile& device);

// The rules every Tenstorrent module applies to one op after its base values: a sharded layout that does
// not divide becomes INTERLEAVED, an L1 placement whose output takes more than a quarter of a core's L1
// becomes DRAM (the rest holds the op's circular buffers). `rows` is what the rule assumes (decode: one
// tile row of users). Each change is recorded with the rule's reason.
void ApplyLayoutRules(ResolvedModuleConfig& config, Phase mode, const std::string& op, int64_t rows,
                      int64_t cols, const hw::DeviceProfile& device);

}  // namespace ttt
