#!/usr/bin/env bash
# Installs what is missing, builds everything (library, tools, tests, benchmarks, zoo models) and runs
# every test. Prints CTest's summary, then where the run's TestSuite coverage report is.
# build/ is configured with the experimental tier (tools/setup.sh), so its tests and `ttt generate
# --kv-policy` run here too; TTT_EXPERIMENTAL=OFF tools/test.sh tests the users' default configuration.
#
# After the tests, every fuzz target runs for 60 s on its corpus, two at a time (tools/fuzz.sh: a clang
# build of the parsers under ASan+UBSan in build-fuzz/); TTT_SKIP_FUZZ=1 skips that smoke.
#
# tools/test.sh --sanitize builds into build-asan/ with AddressSanitizer and UndefinedBehaviorSanitizer and
# runs the same tests there (much slower; a leak, an out-of-bounds access or undefined behaviour fails them).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build="$root/build"
sanitize=0
for arg in "$@"; do
  case $arg in
    --sanitize) sanitize=1; build="$root/build-asan" ;;
    *) echo "usage: tools/test.sh [--sanitize]" >&2; exit 2 ;;
  esac
done
TTT_SANITIZE=$sanitize "$root/tools/setup.sh"
jobs=$(nproc 2>/dev/null || echo 2)
timeout=900
if [ $sanitize = 1 ]; then
  timeout=3600  # the sanitizers make the slowest tests several times slower
  # Stop at the first report, with a stack; leaks are checked at exit of every test process.
  export ASAN_OPTIONS="abort_on_error=1:detect_leaks=1:strict_string_checks=1" \
         UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
fi
# Every TestSuite run (library tests and zoo tests alike) appends what it tested here; `ttt coverage` merges
# the records into a per-module report of tested values and the untested ones zoo models use.
export TTT_COVERAGE_DIR="$build/coverage"
rm -rf "$TTT_COVERAGE_DIR"
cd "$build"
status=0
ctest --output-on-failure -j"$jobs" --timeout $timeout || status=$?
if "$build/bin/ttt" coverage --dir "$TTT_COVERAGE_DIR" --zoo "$root/zoo" --json "$build/coverage.json" \
     >"$build/coverage.txt" 2>&1; then
  echo "TestSuite coverage of this run: ${build#$root/}/coverage.txt ($(head -1 "$build/coverage.txt" | cut -c3-))"
else
  echo "ttt coverage failed: see ${build#$root/}/coverage.txt"
  status=1
fi
if [ $sanitize = 0 ] && [ "${TTT_SKIP_FUZZ:-0}" != 1 ]; then
  echo "Fuzz smoke: every target 60 s, two at a time (TTT_SKIP_FUZZ=1 skips it)"
  TTT_FUZZ_PARALLEL=2 "$root/tools/fuzz.sh" all 60 || status=1
fi
exit $status
