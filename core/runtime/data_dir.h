// Where the package's data files live (the bundled demo model, the governance registry and manifests): the
// directory the package installs as <prefix>/share/ttt. Found at run time, never compiled in, so that a build
// tree or an installed prefix can move without recompiling anything.
#pragma once

#include <string>

namespace ttt {

// $TTT_DATA_DIR when set; else <the executable's directory>/../share/ttt when it exists - an installed tool
// (<prefix>/bin/ttt), or a tool or test of a build tree, whose build/share/ttt CMake fills with links to the
// source tree's files (cmake/TttData.cmake); else, for a shared object embedding the library (the Python
// module), the nearest share/ttt above its file; else "". A program of one's own that links the library and lives
// elsewhere sets TTT_DATA_DIR=<prefix>/share/ttt.
std::string PackageDataDir();

}  // namespace ttt
