#!/usr/bin/env bash
# Runs the browser tests: run.sh HOOKTOOL_BIN ARTIFACT_DIR. Exit 77 (skipped) when Chromium or
# tests/browser/node_modules is missing (.ci/setup --test installs both).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
chromium="${HOOKTOOL_CHROMIUM:-/usr/bin/chromium}"
if [[ ! -x $chromium ]]; then
  echo "skipped: no $chromium (apt-get install chromium, or .ci/setup --test)" >&2
  exit 77
fi
if [[ ! -d $here/node_modules/playwright-core ]]; then
  echo "skipped: no tests/browser/node_modules (npm ci there, or .ci/setup --test)" >&2
  exit 77
fi
mkdir -p "$2"
export HOOKTOOL_BIN="$1" HOOKTOOL_ARTIFACTS="$2" HOOKTOOL_CHROMIUM="$chromium"
cd "$here"
exec node --test --test-reporter=spec --test-concurrency=1 inspector.test.mjs actions.test.mjs load.test.mjs
