#include "core/runtime/library_version.h"

#include "core/version.h"

namespace ttt {

const char* LibraryVersion() { return TTT_VERSION_STRING; }

}  // namespace ttt
