#!/usr/bin/env bash
# Installs what is missing, builds, and tells a story with the bundled stories260K model.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$root/tools/setup.sh" ttt >/dev/null
exec "$root/build/bin/ttt" generate "$@"
