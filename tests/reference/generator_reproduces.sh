#!/usr/bin/env bash
# A fixture generator (tools/fixtures/PROVIDER) reproduces the committed fixtures byte for byte:
# it is run twice into two temporary directories; the two outputs must be identical (the
# generator is deterministic) and equal to COMMITTED (default SOURCE_DIR/fixtures/PROVIDER)
# both ways: a file the generator writes that is not committed, a committed file it does not
# write, and a file whose bytes differ each fail, one line naming it. COMMITTED/scenarios/ is
# hand-written (no generator writes scenarios) and is not compared.
# Usage: generator_reproduces.sh SOURCE_DIR PROVIDER [COMMITTED]
# Exit 0 equal, 1 a difference, 2 usage or set-up error (npm ci not run), 77 skipped (no node).
set -euo pipefail
if [[ $# -lt 2 ]]; then
  echo "usage: $0 SOURCE_DIR PROVIDER [COMMITTED]" >&2
  exit 2
fi
src=$1
provider=$2
committed=${3:-$src/fixtures/$provider}
tools=$src/tools/fixtures/$provider
command -v node >/dev/null 2>&1 || { echo "SKIPPED: node is not installed"; exit 77; }

# The generator, its first dependency (checked so a missing `npm ci` is a set-up error, not a
# difference) and where in OUT it writes the provider's files.
case $provider in
  stripe) script=generate.js dep=stripe sub='' ;;
  github) script=generate.mjs dep=@octokit/webhooks-schemas sub='' ;;
  slack) script=generate.js dep=@slack/types sub='' ;;
  shopify) script=generate.js dep=@shopify/shopify-api sub=shopify ;; # takes the fixtures root
  twilio) script=generate.js dep='' sub='' ;;
  *) echo "error: no generator known for '$provider'" >&2; exit 2 ;;
esac
if [[ -n $dep && ! -d $tools/node_modules/$dep ]]; then
  echo "error: $tools/node_modules/$dep is missing: run 'npm ci' there (.ci/setup --test does)" >&2
  exit 2
fi
if [[ ! -d $committed ]]; then
  echo "error: no committed fixtures at $committed" >&2
  exit 2
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
generate() { # OUT: runs the generator into OUT; prints where the provider's files are
  mkdir -p "$1"
  if ! (cd "$tools" && node "$script" "$1") >"$1.log" 2>&1; then
    cat "$1.log" >&2
    echo "FAIL: the $provider generator failed (node $script $1)" >&2
    exit 1
  fi
}
generate "$tmp/run1"
generate "$tmp/run2"
out1=$tmp/run1${sub:+/$sub}
out2=$tmp/run2${sub:+/$sub}

list() { (cd "$1" && find . -path ./scenarios -prune -o -type f -printf '%P\n' | LC_ALL=C sort); }
bad=0
# Determinism: the second run wrote the same files with the same bytes.
if ! diff <(list "$out1") <(list "$out2") >/dev/null; then
  echo "FAIL: $provider: two runs of the generator wrote different file lists"
  bad=1
fi
while IFS= read -r f; do
  if [[ -f $out2/$f ]] && ! cmp -s "$out1/$f" "$out2/$f"; then
    echo "FAIL: $provider/$f: two runs of the generator wrote different bytes (not deterministic)"
    bad=1
  fi
done < <(list "$out1")

# The generator's output against what is committed, both ways.
while IFS= read -r f; do
  echo "FAIL: $provider/$f: the generator writes it but it is not committed"
  bad=1
done < <(LC_ALL=C comm -23 <(list "$out1") <(list "$committed"))
while IFS= read -r f; do
  echo "FAIL: $provider/$f: committed but the generator does not write it"
  bad=1
done < <(LC_ALL=C comm -13 <(list "$out1") <(list "$committed"))
same=0
while IFS= read -r f; do
  if cmp -s "$out1/$f" "$committed/$f"; then
    same=$((same + 1))
  else
    at=$(cmp "$out1/$f" "$committed/$f" 2>/dev/null | sed -n 's/.* differ: \(byte [0-9]*\), \(line [0-9]*\).*/\1, \2/p' || true)
    echo "FAIL: $provider/$f: the committed file differs from the generator's output (${at:-at the end: one is a prefix of the other})"
    bad=1
  fi
done < <(LC_ALL=C comm -12 <(list "$out1") <(list "$committed"))
if [[ $bad -ne 0 ]]; then
  echo "the committed $provider fixtures are not what tools/fixtures/$provider/$script writes:" \
    "rerun it ('cd tools/fixtures/$provider && node $script') and commit the result, or fix the generator"
  exit 1
fi
echo "ok: $provider: the generator (run twice, identical) reproduces all $same committed files" \
  "byte for byte$([[ -d $committed/scenarios ]] && echo '; scenarios/ is hand-written, not compared')"
