#include "core/hwconfig/embedded_files.h"

namespace ttt {

const EmbeddedFile* FindEmbeddedHwconfigFile(std::string_view path) {
  for (const EmbeddedFile& file : EmbeddedHwconfigFiles()) {
    if (file.path == path) return &file;
  }
  return nullptr;
}

}  // namespace ttt
