#!/usr/bin/env bash
# Cost of embedding fixtures: generation and compile time, object size of the embedded unit,
# for cmake/embed_fixtures.cmake (or another script: EMBED=path) over a fixtures directory.
# Usage: bench/embed_fixtures.sh [FIXTURES_DIR]   (default: fixtures/)
# To try several hundred fixtures: copy fixtures/ to a temp dir and duplicate files in it.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
fixtures="$(cd "${1:-$root/fixtures}" && pwd)"
script="${EMBED:-$root/cmake/embed_fixtures.cmake}"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
count=$(find "$fixtures" -name '*.json' -o -name '*.form' | wc -l)
echo "fixtures: $count files, $(du -sb "$fixtures" | cut -f1) bytes; script: $script"
/usr/bin/time -f "generate: %e s wall, %U s user, %M KB peak" \
  cmake -DSOURCE_DIR="$fixtures" -DOUTPUT="$out/embedded.cpp" -P "$script"
/usr/bin/time -f "compile:  %e s wall, %U s user, %M KB peak" \
  "${CXX:-c++}" -std=c++20 -O2 -g -Wall -Wextra -Wpedantic -Werror -I"$root/src" \
  -c "$out/embedded.cpp" -o "$out/embedded.o"
echo "source: $(stat -c %s "$out/embedded.cpp") bytes; object: $(stat -c %s "$out/embedded.o") bytes"
