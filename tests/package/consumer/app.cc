// A program of a library user's: built against the *installed* package (find_package(ttt) or pkg-config ttt),
// it links the inference library only. Checks the generated version header against the linked library, selects
// OpenBLAS's kernels in-process, and generates from the installed demo model (TTT_DATA_DIR=<prefix>/share/ttt).
#include <cstdio>
#include <string>
#include <string_view>

#include "core/factory/model_loader.h"
#include "core/generation/generate.h"
#include "core/runtime/library_version.h"
#include "core/runtime/openblas_setup.h"
#include "core/version.h"

int main() {
  if (std::string_view(ttt::LibraryVersion()) != TTT_VERSION_STRING) {
    std::fprintf(stderr, "core/version.h says %s, the linked library %s\n", TTT_VERSION_STRING,
                 ttt::LibraryVersion());
    return 1;
  }
  const ttt::OpenBlasKernelChoice blas = ttt::SelectOpenBlasKernelsForCpu();
  auto loaded = ttt::LoadModel(ttt::DemoModelPath());
  if (!loaded.ok()) {
    std::fprintf(stderr, "%s\n", std::string(loaded.status().message()).c_str());
    return 1;
  }
  ttt::GenerationOptions options;
  options.max_new_tokens = 8;
  auto results = ttt::Generate(*loaded->model, *loaded->tokenizer, {"Once upon a time"}, options);
  if (!results.ok() || results->front().tokens.empty()) {
    std::fprintf(stderr, "generate failed: %s\n", results.ok() ? "no token" : std::string(results.status().message()).c_str());
    return 1;
  }
  std::printf("ttt %d.%d.%d, openblas %s -> %s, generated %zu tokens: %s\n", TTT_VERSION_MAJOR, TTT_VERSION_MINOR,
              TTT_VERSION_PATCH, blas.before.c_str(), blas.after.c_str(), results->front().tokens.size(),
              results->front().text.c_str());
  return 0;
}
