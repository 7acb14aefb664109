#!/bin/sh
# ctest serve.openai_npm: installs the pinned openai package (package-lock.json) with `npm ci` into a work
# folder of the build tree (never into the source tree), then runs openai_client_test.mjs against `ttt serve`.
# Exit 77 (ctest's skip) when node or npm is missing, or when npm can reach neither the registry nor its cache.
# usage: run.sh PATH/TO/ttt PATH/TO/tests/fixtures
set -u
here=$(cd "$(dirname "$0")" && pwd)
ttt=$1
fixtures=$2
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "serve.openai_npm: skipped: node and npm are needed (Debian: apt-get install nodejs npm)"
  exit 77
fi
work=${TTT_SERVE_TEST_DIR:-$PWD/serve_openai_npm}
mkdir -p "$work"
cp "$here/package.json" "$here/package-lock.json" "$here/openai_client_test.mjs" "$work/"
cd "$work" || exit 1
if ! npm ci --no-audit --no-fund --prefer-offline >npm-ci.log 2>&1; then
  cat npm-ci.log
  echo "serve.openai_npm: skipped: npm ci could not install the pinned openai package (no network and no cache?)"
  exit 77
fi
exec node openai_client_test.mjs "$ttt" "$fixtures"
