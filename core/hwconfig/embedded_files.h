// The hwconfig/**/*.textproto data files, compiled into the library by cmake/TttEmbed.cmake so that a
// binary needs no data directory at run time.
#pragma once

#include <string_view>
#include <vector>

namespace ttt {

struct EmbeddedFile {
  std::string_view path;  // relative to the repository root, e.g. "hwconfig/devices/n150.textproto"
  std::string_view text;
};

// Every embedded file, sorted by path. Defined in the generated .cc.
const std::vector<EmbeddedFile>& EmbeddedHwconfigFiles();

// The file at `path`, or nullptr.
const EmbeddedFile* FindEmbeddedHwconfigFile(std::string_view path);

}  // namespace ttt
