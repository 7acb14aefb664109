// The version of the linked ttt library, "MAJOR.MINOR.PATCH". A function rather than a macro so that bumping the
// version recompiles one file (library_version.cc), not every user of it; the compile-time macros are in the
// generated core/version.h.
#pragma once

namespace ttt {

const char* LibraryVersion();

}  // namespace ttt
