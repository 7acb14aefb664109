#include "core/runtime/library_version.h"

#include "core/version.h"

namespace ttt {

std::string_view LibraryVersion() { return TTT_VERSION_STRING; }

}  // namespace ttt
