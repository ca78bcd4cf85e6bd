#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz) with clang, ASan and UBSan in build-fuzz/, and runs
# each one for SECONDS_PER_TARGET seconds (default 60), one at a time, on a scratch copy of its
# committed seed corpus (tests/fuzz/corpus/<target>/; the committed corpus is never grown).
#
#   bench/fuzz.sh [SECONDS_PER_TARGET] [target...]     targets: capture verify pretty form set url json toml har
#
# Prints a table (target, seconds run, executions, exec/s, corpus size, crashes) and exits 1 when
# a target found a crash, leak, timeout or out-of-memory; the input is kept under
# build-fuzz/artifacts/<target>/ and the log under build-fuzz/logs/<target>.log.
# Environment: BUILD_DIR (build-fuzz), NICE (10), CXX (clang++), CC (clang).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="${BUILD_DIR:-$ROOT/build-fuzz}"
SECONDS_PER_TARGET="${1:-60}"
shift || true
ALL_TARGETS=(capture verify pretty form set url json toml har request)
if [[ $# -gt 0 ]]; then TARGETS=("$@"); else TARGETS=("${ALL_TARGETS[@]}"); fi
NICE_LEVEL="${NICE:-10}"

# Longest input each target is given: enough for real deliveries and capture lines, small
# enough to keep executions fast.
max_len() {
  case "$1" in
    set | url) echo 1024 ;;
    form | request) echo 4096 ;;
    *) echo 8192 ;;
  esac
}

for t in "${TARGETS[@]}"; do
  [[ " ${ALL_TARGETS[*]} " == *" $t "* ]] || { echo "fuzz.sh: unknown target '$t' (known: ${ALL_TARGETS[*]})" >&2; exit 2; }
done

CC="${CC:-clang}" CXX="${CXX:-clang++}" cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DHOOKTOOL_FUZZ=ON -DHOOKTOOL_BUILD_TESTS=OFF >/dev/null
nice -n "$NICE_LEVEL" cmake --build "$BUILD" -j2 --target "${TARGETS[@]/#/fuzz_}"

results=()
failed=0
for t in "${TARGETS[@]}"; do
  run_corpus="$BUILD/corpus-run/$t"
  artifacts="$BUILD/artifacts/$t"
  log="$BUILD/logs/$t.log"
  rm -rf "$run_corpus"
  mkdir -p "$run_corpus" "$artifacts" "$(dirname "$log")"
  if [[ -d "$ROOT/tests/fuzz/corpus/$t" ]]; then
    cp "$ROOT/tests/fuzz/corpus/$t"/* "$run_corpus/" 2>/dev/null || true
  fi
  before=$(find "$artifacts" -type f | wc -l)
  echo "fuzz.sh: fuzz_$t for ${SECONDS_PER_TARGET}s (log: $log)" >&2
  start=$(date +%s.%N)
  set +e
  nice -n "$NICE_LEVEL" "$BUILD/tests/fuzz/fuzz_$t" "$run_corpus" \
    -max_total_time="$SECONDS_PER_TARGET" -max_len="$(max_len "$t")" -timeout=10 \
    -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$artifacts/" >"$log" 2>&1
  rc=$?
  set -e
  end=$(date +%s.%N)
  secs=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.0f", b - a }')
  execs=$(awk '/stat::number_of_executed_units/ { print $NF }' "$log" | tail -1)
  rate=$(awk '/stat::average_exec_per_sec/ { print $NF }' "$log" | tail -1)
  corpus=$(find "$run_corpus" -type f | wc -l)
  crashes=$(($(find "$artifacts" -type f | wc -l) - before))
  if [[ $rc -ne 0 && $crashes -eq 0 ]]; then crashes=1; fi # e.g. a crash with no input written
  [[ $crashes -gt 0 ]] && failed=1
  results+=("$(printf '%-8s %8s %12s %8s %8s %8s' "$t" "$secs" "${execs:-?}" "${rate:-?}" "$corpus" "$crashes")")
done

printf '%-8s %8s %12s %8s %8s %8s\n' target seconds execs exec/s corpus crashes
printf '%s\n' "${results[@]}"
exit "$failed"
