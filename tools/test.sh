#!/usr/bin/env bash
# Installs what is missing, builds everything (library, tools, tests, benchmarks, zoo models) and runs
# every test. Prints CTest's summary.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$root/tools/setup.sh"
jobs=$(nproc 2>/dev/null || echo 2)
cd "$root/build"
ctest --output-on-failure -j"$jobs" --timeout 900
