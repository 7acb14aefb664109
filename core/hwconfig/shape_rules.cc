#include "core/hwconfig/shape_rules.h"

#include <cmath>

#include "absl/strings/str_cat.h"
#include "core/hwconfig/hw_enums.h"
#include "core/hwconfig/module_defaults.h"

namespace ttt {
namespace {
int64_t Tiles(int64_t n) { return (n + kTileSize - 1) / kTileSize; }
}  // namespace

std::string ShardProblem(hw::TensorLayout layout, int64_t rows, int64_t cols, const hw::DeviceProfile& device) {
  const int64_t gx = device.chip().compute_grid().x(), gy = device.chip().compute_grid().y(), cores = gx * gy;
  const int64_t row_tiles = Tiles(rows), col_tiles = Tiles(cols);
  switch (layout) {
    case hw::WIDTH_SHARDED:
      if (cols % kTileSize != 0 || col_tiles % cores != 0) {
        return absl::StrCat("width sharding needs the ", cols, " columns (", col_tiles, " tiles of 32) to divide over ",
                            cores, " cores (", gx, "x", gy, ")");
      }
      return "";
    case hw::HEIGHT_SHARDED:
      if (row_tiles % cores != 0) {
        return absl::StrCat("height sharding needs the ", rows, " rows (", row_tiles, " tiles of 32) to divide over ",
                            cores, " cores (", gx, "x", gy, ")");
      }
      return "";
    case hw::BLOCK_SHARDED:
      if (cols % kTileSize != 0 || col_tiles % gx != 0 || row_tiles % gy != 0) {
        return absl::StrCat("block sharding needs ", col_tiles, " column tiles to divide by grid x ", gx, " and ",
                            row_tiles, " row tiles by grid y ", gy);
      }
      return "";
    default: return "";
  }
}

int64_t L1BytesPerCore(int64_t rows, int64_t cols, hw::DType dtype, const hw::DeviceProfile& device) {
  const int64_t cores = std::max<int64_t>(1, device.chip().compute_grid().x() * device.chip().compute_grid().y());
  const double bytes = static_cast<double>(Tiles(rows) * kTileSize) * Tiles(cols) * kTileSize *
                       BytesPerValue(dtype == hw::DTYPE_UNSPECIFIED ? hw::BF16 : dtype);
  return static_cast<int64_t>(std::ceil(bytes / cores));
}

void ApplyLayoutRules(ResolvedModuleConfig& config, Phase mode, const std::string& op, int64_t rows,
                      int64_t cols, const hw::DeviceProfile& device) {
  if (!IsTenstorrent(device)) return;
  const hw::OpConfig& current = config.op(mode, op);
  const std::string problem = ShardProblem(current.layout(), rows, cols, device);
  if (!problem.empty()) {
    hw::OpConfig change;
    change.set_layout(hw::INTERLEAVED);
    config.ApplyOp(mode, op, change, absl::StrCat("rule: ", problem, ": interleaved"));
  }
  if (current.placement() == hw::L1) {
    const int64_t per_core = L1BytesPerCore(rows, cols, current.output_dtype(), device);
    const int64_t budget = static_cast<int64_t>(device.chip().l1_bytes_per_core() / 4);
    if (per_core > budget) {
      hw::OpConfig change;
      change.set_placement(hw::DRAM);
      config.ApplyOp(mode, op, change,
                     absl::StrCat("rule: output [", rows, ", ", cols, "] needs ", per_core,
                                  " B of L1 per core, over a quarter of ", device.chip().l1_bytes_per_core(), ": DRAM"));
    }
  }
}

}  // namespace ttt
