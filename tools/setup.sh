#!/usr/bin/env bash
# Installs the Debian packages the project builds with, configures and builds into build/.
# Safe to run again: packages already present are not reinstalled and the build is incremental.
# Usage: tools/setup.sh [TARGET...]   (default: everything)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

packages=(
  cmake g++ make pkg-config git
  libabsl-dev                 # Status/StatusOr, strings, containers, flags
  libprotobuf-dev protobuf-compiler  # specs, hardware configs, manifests
  libspdlog-dev               # logging
  libopenblas-dev             # f32 GEMM
  libxxhash-dev               # the weight cache's checksums (XXH3)
  nlohmann-json3-dev          # config.json, tokenizer.json, safetensors headers
  libpcre2-dev                # GPT-2 pre-tokenizer regex (Unicode classes)
  libgtest-dev libgmock-dev   # tests
  libbenchmark-dev            # micro-benchmarks
  libcpp-httplib-dev          # ttt serve's HTTP server
  libedit-dev                 # ttt chat's line editing and history
  libcli11-dev                # the command-line flags of ttt and ttt-gov
  openmpi-bin libopenmpi-dev  # ttt --transport mpi: one process per emulated chip (mpirun), and its tests
  python3                     # tests/cli's scripts (the output of ttt read as llama.cpp's tools write it)
  pybind11-dev python3-dev    # the ttt Python module (python/)
  python3-numpy python3-pytest  # its logits arrays; its tests
  gcovr                       # ttt-gov promote --coverage-build: a module's line coverage over its labelled tests
  universal-ctags             # ttt-gov api-diff and the matrix's API row: the public declarations of two releases
)
# The serve test (tests/serve) drives `ttt serve` with the official openai npm package: Node.js and npm,
# unless a node is already installed (nvm, NodeSource).
command -v node >/dev/null 2>&1 || packages+=(nodejs)
command -v npm >/dev/null 2>&1 || packages+=(npm)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

jobs=$(nproc 2>/dev/null || echo 2)
# The project's own build (build/, what tools/test.sh and CI test) enables the experimental tier, so its tests
# run with everyone else's: it adds one small library, its test binary and the `ttt` flag that uses it (about
# 20 s of compilation at -j1, measured), not a second build. The CMake option stays OFF by default, so a
# library that users configure or install themselves has no experimental code unless they ask for it.
# TTT_EXPERIMENTAL=OFF tools/test.sh tests that default configuration instead.
experimental=${TTT_EXPERIMENTAL:-ON}
# TTT_SANITIZE=1 (tools/test.sh --sanitize) builds into build-asan/ instead, every object compiled with
# AddressSanitizer and UndefinedBehaviorSanitizer (CMake option TTT_SANITIZE); any finding aborts.
build="$root/build"
sanitize=OFF
if [ "${TTT_SANITIZE:-0}" = 1 ]; then
  build="$root/build-asan"
  sanitize=ON
fi
cache="$build/CMakeCache.txt"
if [ ! -f "$cache" ] || ! grep -qx "TTT_ENABLE_EXPERIMENTAL:BOOL=$experimental" "$cache" ||
   ! grep -qx "TTT_SANITIZE:BOOL=$sanitize" "$cache"; then
  # Warnings in the project's own code are errors here (TTT_WERROR=OFF to build past one).
  cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DTTT_ENABLE_EXPERIMENTAL="$experimental" \
    -DTTT_WARNINGS_AS_ERRORS="${TTT_WERROR:-ON}" -DTTT_SANITIZE="$sanitize" >/dev/null
fi
targets=()
for t in "$@"; do targets+=(--target "$t"); done
cmake --build "$build" -j"$jobs" "${targets[@]}"
