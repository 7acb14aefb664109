# Every dependency comes from a Debian package (see tools/setup.sh for the list).
find_package(absl CONFIG REQUIRED)
find_package(Protobuf REQUIRED)
find_package(spdlog CONFIG REQUIRED)

find_package(nlohmann_json CONFIG REQUIRED)
find_package(OpenMP REQUIRED)
find_package(PkgConfig REQUIRED)
pkg_check_modules(PCRE2 REQUIRED IMPORTED_TARGET libpcre2-8)
pkg_check_modules(OPENBLAS REQUIRED IMPORTED_TARGET openblas)
pkg_check_modules(XXHASH REQUIRED IMPORTED_TARGET libxxhash)  # the weight cache's checksums (XXH3)
# The tools only (never core): `ttt serve`'s HTTP server (Debian builds cpp-httplib as a library, with its
# OpenSSL/zlib/Brotli defines in the .pc file, which must match), `ttt chat`'s line editing (libedit).
pkg_check_modules(HTTPLIB REQUIRED IMPORTED_TARGET cpp-httplib)
pkg_check_modules(LIBEDIT REQUIRED IMPORTED_TARGET libedit)
if(TTT_BUILD_TESTS)
  find_package(GTest CONFIG REQUIRED)
endif()
if(TTT_BUILD_BENCH)
  find_package(benchmark CONFIG REQUIRED)
endif()
