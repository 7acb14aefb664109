#!/usr/bin/env bash
# Installs what is missing, builds everything (library, tools, tests, benchmarks, zoo models) and runs
# every test. Prints CTest's summary, then where the run's TestSuite coverage report is.
# build/ is configured with the experimental tier (tools/setup.sh), so its tests and `ttt generate
# --kv-policy` run here too; TTT_EXPERIMENTAL=OFF tools/test.sh tests the users' default configuration.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$root/tools/setup.sh"
jobs=$(nproc 2>/dev/null || echo 2)
# Every TestSuite run (library tests and zoo tests alike) appends what it tested here; `ttt coverage` merges
# the records into a per-module report of tested values and the untested ones zoo models use.
export TTT_COVERAGE_DIR="$root/build/coverage"
rm -rf "$TTT_COVERAGE_DIR"
cd "$root/build"
status=0
ctest --output-on-failure -j"$jobs" --timeout 900 || status=$?
if "$root/build/bin/ttt" coverage --dir "$TTT_COVERAGE_DIR" --zoo "$root/zoo" --json "$root/build/coverage.json" \
     >"$root/build/coverage.txt" 2>&1; then
  echo "TestSuite coverage of this run: build/coverage.txt ($(head -1 "$root/build/coverage.txt" | cut -c3-))"
else
  echo "ttt coverage failed: see build/coverage.txt"
  status=1
fi
exit $status
