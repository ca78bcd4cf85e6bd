#!/usr/bin/env bash
# Every Stripe scenario end to end against a handler using the official stripe library (see
# stripe_scenarios.mjs). Usage: stripe_scenarios.sh HOOKTOOL SOURCE_DIR
# Exit 0 pass, 1 fail, 2 set-up error (npm ci not run), 77 skipped (no node).
set -euo pipefail
hooktool="$1"
src="$2"
command -v node >/dev/null 2>&1 || { echo "SKIPPED: node is not installed"; exit 77; }
if [[ ! -d "$src/tools/fixtures/stripe/node_modules/stripe" ]]; then
  echo "error: $src/tools/fixtures/stripe/node_modules is missing: run 'npm ci' there" >&2
  exit 2
fi
exec node "$src/tests/reference/stripe_scenarios.mjs" "$hooktool" "$src"
