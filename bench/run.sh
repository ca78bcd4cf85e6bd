#!/usr/bin/env bash
# Runs the whole bench suite (listen, send, single, memory) and writes bench/README.md with the machine,
# the commands, the tables and which of the issues' goals (#17, #18) hold in this run.
# Usage: bench/run.sh [listen send single memory]   (env: HOOKTOOL, ROUNDS=3, SECS=5; see each script)
# Takes about 5-8 minutes on a 2-core machine with the defaults.
set -euo pipefail
BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$BENCH_DIR/.." && pwd)
export HOOKTOOL=${HOOKTOOL:-$ROOT/build/hooktool}
export ROUNDS=${ROUNDS:-3} SECS=${SECS:-5}
scripts=("$@")
[[ ${#scripts[@]} -gt 0 ]] || scripts=(listen send single memory)

out=$(mktemp -d "${TMPDIR:-/tmp}/hooktool-bench-run.XXXXXX")
trap 'rm -rf "$out"' EXIT
export BENCH_RESULTS=$out/results
: >"$BENCH_RESULTS"

if [[ ! -x $HOOKTOOL ]]; then
  cmake -S "$ROOT" -B "$ROOT/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  make -C "$ROOT/build" -j2 hooktool >/dev/null
fi

start=$(date +%s)
declare -A title=(
  [listen]="Listener throughput (bench/listen.sh)"
  [send]="Load sender (bench/send.sh)"
  [single]="One send and start-up (bench/single.sh)"
  [memory]="Peak memory (bench/memory.sh)"
)
for s in "${scripts[@]}"; do
  [[ -n ${title[$s]:-} ]] || { echo "unknown script: $s (listen, send, single, memory)" >&2; exit 2; }
  echo "=== $s ===" >&2
  "$BENCH_DIR/$s.sh" | tee "$out/$s.md"
  echo
done
elapsed=$(($(date +%s) - start))

# --- goals (issues #17, #18), from this run's ratios ----------------------------------------------------
get() { awk -F= -v k="$1" '$1 == k { v = $2 } END { print v }' "$BENCH_RESULTS"; }
goals=()
goal() { # DESCRIPTION VALUE OP THRESHOLD  (OP: ge or le); a missing value is "not measured"
  local desc=$1 v=$2 op=$3 t=$4 ok note
  if [[ -z $v || $v == n/a ]]; then goals+=("| $desc | not measured | | |"); return; fi
  ok=$(awk -v v="$v" -v t="$t" -v op="$op" 'BEGIN { print ((op == "ge" ? v >= t : v <= t) ? "holds" : "misses") }')
  note=$(awk -v v="$v" -v t="$t" 'BEGIN { d = v/t - 1; if (d < 0) d = -d; if (d < 0.05) print "within 5% of the line: noise decides" }')
  goals+=("| $desc | $v | **$ok** | $note |")
}
# #18 (listener) and #17 (sender)
goal "listen --quiet (verify) ≥ 0.7× nginx req/s (#18)" "$(get listen_listen_ratio)" ge 0.7
goal "listen --quiet --capture ≥ 0.5× nginx req/s (#18)" "$(get listen_capture_ratio)" ge 0.5
goal "listen idle peak RSS ≤ 8 MiB (#18)" "$(get listen_idle_rss_mib)" le 8
goal "listen --capture peak RSS ≤ 12 MiB after 50k (#18)" "$(get listen_rss_mib)" le 12
goal "send load, fresh deliveries ≥ 1.0× ab -k (#17)" "$(get send_hooktool_ab_ratio)" ge 1
goal "send load --same-payload ≥ 1.0× wrk (#17)" "$(get send_same_ratio)" ge 1
goal "one send ≤ 1.2× one curl POST (#17)" "$(get single_ratio)" le 1.2
goal "send --dry-run ≤ 0.6× one curl POST (#17)" "$(get dryrun_ratio)" le 0.6
goal "hooktool --version ≤ 0.8× curl --version (#17)" "$(get version_ratio)" le 0.8
goal "replay peak RSS ≤ 30 MiB over 50k lines" "$(get replay_rss_mib)" le 30
held=$(printf '%s\n' "${goals[@]}" | grep -c '\*\*holds\*\*' || true)
missed=$(printf '%s\n' "${goals[@]}" | grep -c '\*\*misses\*\*' || true)
held_list=$(printf '%s\n' "${goals[@]}" | awk -F'|' '/\*\*holds\*\*/ { gsub(/^ +| +$/, "", $2); printf "%s%s", (n++ ? "; " : ""), $2 }')
missed_list=$(printf '%s\n' "${goals[@]}" | awk -F'|' '/\*\*misses\*\*/ { gsub(/^ +| +$/, "", $2); printf "%s%s", (n++ ? "; " : ""), $2 }')

# --- README --------------------------------------------------------------------------------------
cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
rev=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
dirty=$(git -C "$ROOT" status --porcelain --untracked-files=no 2>/dev/null | grep -q . && echo " (with uncommitted changes)" || true)
pkgs() { # installed versions of the peers
  local p list=""
  for p in nginx-light webhook wrk hey apache2-utils hyperfine curl; do
    list+="${list:+, }$p $(dpkg-query -W -f='${Version}' "$p" 2>/dev/null || echo '?')"
  done
  echo "$list"
}
# Hand-written sections (below the marker) survive a rewrite.
marker='<!-- Sections below this line are written by hand (or by the other scripts) and kept by bench/run.sh. -->'
kept=""
[[ -f $BENCH_DIR/README.md ]] && kept=$(awk -v m="$marker" 'found { print } $0 == m { found = 1; print }' "$BENCH_DIR/README.md")
{
  cat <<EOF
# hooktool benchmarks

Each script runs hooktool and its peers side by side in the same run, on 127.0.0.1 only, repeats every
measurement (median of $ROUNDS), and prints a table with ratios. Absolute numbers drift with the machine
and whatever else it is doing; **the ratios within one run are what to compare.** Servers the scripts start
(nginx-light with its own prefix and config in a temp dir on a free port, adnanh \`webhook\`, \`hooktool
listen\`) are stopped by PID on exit; missing tools are installed with \`apt-get install\`.

| script | what |
| --- | --- |
| \`bench/run.sh\` | all of the below; rewrites this file |
| \`bench/listen.sh\` | wrk at nginx \`return 200\`, the bare engines, a Node.js \`http\` server and adnanh webhook (HMAC), \`hooktool listen --quiet\` with/without \`--capture\`; fresh-connection latency under load |
| \`bench/send.sh\` | \`hooktool send --count 20000 --concurrency 32\` (fresh and \`--same-payload\`) vs hey, \`ab -k\`, wrk against nginx |
| \`bench/single.sh\` | hyperfine: one \`hooktool send\` and \`send --dry-run\` vs one curl POST; \`hooktool --version\` vs \`curl --version\` |
| \`bench/memory.sh\` | peak RSS of \`listen --capture\` after 50k deliveries, of an idle \`listen\`, of \`replay\` over the 50k-line capture, and of webhook |
| \`bench/ui.sh\` | the web inspector's page load in headless Chromium (playwright-core from tests/browser): a blank nginx page (the floor), the page's own bytes from nginx, \`listen --ui\` (and a \`BASE\` binary), a 10,000-delivery capture; new tab and kept tab; then one load's DevTools trace, summarised (not part of \`run.sh\`) |
| \`bench/catalogue.sh\` | the cost of the fixture catalogue (#15): this tree against the commit before it, stripped size, start-up, one send, listing, completion (not part of \`run.sh\`: it builds a second binary) |

Knobs (environment): \`ROUNDS\` (3), \`SECS\` (wrk seconds, 5), \`HOOKTOOL\` (binary, \`build/hooktool\`), and per
script \`CONNS\`/\`PROBES\` (listen), \`COUNT\`/\`CONC\` (send), \`RUNS\`/\`WARMUP\` (single), \`N\` (memory).
\`bench/listen_throughput.sh\` is kept as an alias of \`bench/listen.sh\`.

## Latest run

- Command: \`ROUNDS=$ROUNDS SECS=$SECS bench/run.sh ${scripts[*]}\` ($((elapsed / 60)) min $((elapsed % 60)) s), $(date -u '+%Y-%m-%d %H:%M UTC')
- hooktool: $("$HOOKTOOL" --version 2>&1 | head -1), commit $rev$dirty, build type RelWithDebInfo
- Machine: $(nproc) cores ($cpu), $(awk '/MemTotal/ { printf "%.0f GiB", $2/1048576 }' /proc/meminfo), Linux $(uname -r); shared with other work, so noisy
- Peers (Debian packages): $(pkgs)

### Goals (issues #17, #18) in this run

$held of $((held + missed)) measured goals hold.$( [[ -n $held_list ]] && printf ' Holding: %s.' "$held_list")$( [[ -n $missed_list ]] && printf ' Missing: %s.' "$missed_list")

| goal | this run | | |
| --- | ---: | --- | --- |
EOF
  printf '%s\n' "${goals[@]}"
  for s in "${scripts[@]}"; do
    printf '\n## %s\n\n' "${title[$s]}"
    cat "$out/$s.md"
  done
  [[ -z $kept ]] || printf '\n%s\n' "$kept"
} >"$BENCH_DIR/README.md.new"
mv "$BENCH_DIR/README.md.new" "$BENCH_DIR/README.md"
echo "wrote $BENCH_DIR/README.md ($held goals hold, $missed miss; ${elapsed}s)" >&2
