#!/usr/bin/env bash
# Cost of the fixture catalogue (issue #15): this tree's hooktool against the one from the commit
# before the catalogue grew (8 Stripe fixtures, 7 GitHub; default: the parent of the first commit
# that touched tools/fixtures/stripe), built with the same flags, side by side: stripped binary
# size, `--version`, one `send stripe invoice.paid` to nginx-light `return 200` on 127.0.0.1,
# the same with `--dry-run`, `fixtures stripe` (the listing), and the bash completion script's
# `hooktool send stripe <TAB>` (the binary's own `completion bash`, sourced by a bash that calls
# its completion function: the events come from `hooktool fixtures stripe --json`).
# Both binaries run in the same hyperfine invocation, alternating, ROUNDS times; the table shows
# the median of hyperfine's medians (wall) and of its mean user + system times (CPU), and the
# ratios new/old.
# Usage: bench/catalogue.sh
#   env: NEW (binary; default: build this working tree), OLD (binary; default: build OLD_COMMIT),
#        OLD_COMMIT, BUILD_ROOT (/tmp/hooktool-catalogue-bench), JOBS (2), ROUNDS (3), RUNS (30),
#        WARMUP (5)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
RUNS=${RUNS:-30}
WARMUP=${WARMUP:-5}
JOBS=${JOBS:-2}
BUILD_ROOT=${BUILD_ROOT:-/tmp/hooktool-catalogue-bench}
# The same flags for both builds: -O2, no debug info, NDEBUG.
CMAKE_FLAGS=(-G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O2 -DNDEBUG")
STRIPE_SECRET=whsec_catalogue_bench

need hyperfine hyperfine
need jq jq
need python3 python3
need ninja ninja-build
need strip binutils

build() { # SOURCE_DIR BUILD_DIR: configure and build hooktool; prints the binary
  local src=$1 dir=$2 launcher=()
  command -v ccache >/dev/null 2>&1 && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
  if [[ ! -x $dir/hooktool ]]; then
    log "building $src in $dir (-j$JOBS)"
    cmake -S "$src" -B "$dir" "${CMAKE_FLAGS[@]}" "${launcher[@]}" >"$dir.cmake.log" 2>&1 ||
      { tail -20 "$dir.cmake.log" >&2; die "cmake failed for $src"; }
    ninja -C "$dir" -j"$JOBS" hooktool >"$dir.ninja.log" 2>&1 ||
      { tail -20 "$dir.ninja.log" >&2; die "build failed for $src"; }
  fi
  printf '%s\n' "$dir/hooktool"
}

if [[ -z ${OLD:-} ]]; then
  if [[ -z ${OLD_COMMIT:-} ]]; then
    first=$(git -C "$ROOT" log --format=%H -- tools/fixtures/stripe | tail -1)
    [[ -n $first ]] || die "no commit touches tools/fixtures/stripe: set OLD_COMMIT"
    OLD_COMMIT=$(git -C "$ROOT" rev-parse "$first^")
  fi
  short=$(git -C "$ROOT" rev-parse --short "$OLD_COMMIT")
  src=$BUILD_ROOT/old-$short/src
  if [[ ! -f $src/CMakeLists.txt ]]; then
    mkdir -p "$src"
    git -C "$ROOT" archive "$OLD_COMMIT" | tar -x -C "$src"
  fi
  OLD=$(build "$src" "$BUILD_ROOT/old-$short/build")
  OLD_LABEL="$short (before the catalogue)"
else
  OLD_LABEL=$OLD
fi
if [[ -z ${NEW:-} ]]; then
  NEW=$(build "$ROOT" "$BUILD_ROOT/new-build")
  NEW_LABEL="$(git -C "$ROOT" rev-parse --short HEAD)$(git -C "$ROOT" diff --quiet HEAD 2>/dev/null || echo ' + uncommitted changes')"
else
  NEW_LABEL=$NEW
fi
[[ -x $OLD && -x $NEW ]] || die "no binary at $OLD or $NEW"

# The fixture files each tree compiles in (every *.json and *.form under fixtures/): files, bytes.
if [[ -n ${OLD_COMMIT:-} ]]; then
  read -r fx_files_old fx_bytes_old < <(git -C "$ROOT" ls-tree -r -l "$OLD_COMMIT" fixtures |
    awk '$5 ~ /\.(json|form)$/ {n++; b+=$4} END {print n+0, b+0}')
else
  fx_files_old='?' fx_bytes_old='?'
fi
read -r fx_files_new fx_bytes_new < <(find "$ROOT/fixtures" -type f \( -name '*.json' -o -name '*.form' \) \
  -printf '%s\n' | awk '{n++; b+=$1} END {print n+0, b+0}')

start_nginx
URL="http://127.0.0.1:$NGINX_PORT/"
declare -A BIN=([old]=$OLD [new]=$NEW) SIZE=() STRIPE=() GITHUB=() COMPLETE=()
for v in old new; do
  b=${BIN[$v]}
  strip -o "$WORK/$v.stripped" "$b"
  SIZE[$v]=$(stat -c %s "$WORK/$v.stripped")
  STRIPE[$v]=$("$b" --no-config fixtures stripe --json | grep -c '"event"')
  GITHUB[$v]=$("$b" --no-config fixtures github --json | grep -c '"event"')
  "$b" completion bash >"$WORK/$v.completion.bash"
  # `hooktool send stripe <TAB>` as bash calls the completion function; prints the candidates.
  cat >"$WORK/$v.complete.sh" <<EOF
source "$WORK/$v.completion.bash"
COMP_WORDS=("$b" send stripe "")
COMP_CWORD=3
COMP_LINE="$b send stripe "
COMP_POINT=\${#COMP_LINE}
_hooktool "$b" "" stripe
printf '%s\n' "\${COMPREPLY[@]}"
EOF
  COMPLETE[$v]=$(bash "$WORK/$v.complete.sh" | wc -l)
  # Every command must work before it is timed (hyperfine -N also fails on a non-zero exit).
  "$b" --no-config send stripe invoice.paid --to "$URL" --secret "$STRIPE_SECRET" >/dev/null ||
    die "$v: send stripe invoice.paid failed"
done
[[ ${COMPLETE[old]} -eq ${STRIPE[old]} && ${COMPLETE[new]} -eq ${STRIPE[new]} ]] ||
  die "the completion offered ${COMPLETE[old]}/${COMPLETE[new]} events, fixtures listed ${STRIPE[old]}/${STRIPE[new]}"

keys=(version send dryrun list complete)
cmd() { # KEY VERSION: the command line hyperfine runs
  local b=${BIN[$2]}
  case $1 in
    version) echo "$b --version" ;;
    send) echo "$b --no-config send stripe invoice.paid --to $URL --secret $STRIPE_SECRET" ;;
    dryrun) echo "$b --no-config send stripe invoice.paid --to $URL --secret $STRIPE_SECRET --dry-run" ;;
    list) echo "$b --no-config fixtures stripe" ;;
    complete) echo "bash $WORK/$2.complete.sh" ;;
  esac
}
cmds=()
for k in "${keys[@]}"; do cmds+=("$(cmd "$k" old)" "$(cmd "$k" new)"); done
for ((round = 1; round <= ROUNDS; round++)); do
  log "round $round/$ROUNDS"
  hyperfine -N --style none --warmup "$WARMUP" --runs "$RUNS" --export-json "$WORK/hf.json" "${cmds[@]}" \
    >/dev/null 2>"$WORK/hf.err" || { cat "$WORK/hf.err" >&2; die "hyperfine failed"; }
  i=0
  for k in "${keys[@]}"; do
    for v in old new; do
      jq -r ".results[$i].median" "$WORK/hf.json" >>"$WORK/$k.$v.s"
      jq -r ".results[$i].user + .results[$i].system" "$WORK/hf.json" >>"$WORK/$k.$v.cpu.s"
      i=$((i + 1))
    done
  done
  log "medians (ms): $(for k in "${keys[@]}"; do printf '%s=%s/%s ' "$k" \
    "$(tail -1 "$WORK/$k.old.s" | awk '{printf "%.2f", $1*1000}')" \
    "$(tail -1 "$WORK/$k.new.s" | awk '{printf "%.2f", $1*1000}')"; done)"
done

ms() { awk -v s="$1" 'BEGIN { printf "%.2f", s*1000 }'; }
# shellcheck disable=SC2046 # one number per line, split on purpose
med() { median $(cat "$WORK/$1.s"); }
runs_ms() { awk '{printf "%s%.2f", (NR>1?" ":""), $1*1000}' "$WORK/$1.s"; }
mib() { awk -v b="$1" 'BEGIN { printf "%.2f MiB", b/1048576 }'; }
label() {
  case $1 in
    version) echo "\`hooktool --version\`" ;;
    send) echo "\`send stripe invoice.paid --to http://127.0.0.1:PORT\`" ;;
    dryrun) echo "\`send stripe invoice.paid --dry-run\`" ;;
    list) echo "\`fixtures stripe\` (list)" ;;
    complete) echo "bash completion, \`hooktool send stripe <TAB>\`" ;;
  esac
}

cat <<EOF
old: $OLD_LABEL ($OLD); new: $NEW_LABEL ($NEW). Both built with
\`cmake ${CMAKE_FLAGS[*]}\`. Built-in Stripe events: ${STRIPE[old]} old, ${STRIPE[new]} new; GitHub:
${GITHUB[old]} old, ${GITHUB[new]} new. One process per run, no shell (\`hyperfine -N --warmup $WARMUP --runs $RUNS\`,
old and new in the same invocation), nginx-light \`return 200\` on 127.0.0.1 as the target; $ROUNDS rounds,
median of hyperfine's medians.

Wall: the median of the rounds' medians; CPU: the median of the rounds' mean user + system time
(less sensitive than wall time to other work on the machine).

| measure | old | new | new/old | CPU old | CPU new | CPU new/old | wall per round, old (ms) | new (ms) |
| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |
| stripped binary | $(mib "${SIZE[old]}") | $(mib "${SIZE[new]}") | $(ratio "${SIZE[new]}" "${SIZE[old]}")× | | | | ${SIZE[old]} B | ${SIZE[new]} B |
| fixture bytes compiled in | $(mib "$fx_bytes_old") | $(mib "$fx_bytes_new") | $(ratio "$fx_bytes_new" "$fx_bytes_old")× | | | | $fx_files_old files | $fx_files_new files |
EOF
for k in "${keys[@]}"; do
  o=$(med "$k.old") n=$(med "$k.new") co=$(med "$k.old.cpu") cn=$(med "$k.new.cpu")
  echo "| $(label "$k") | $(ms "$o") ms | $(ms "$n") ms | $(ratio "$n" "$o")× | $(ms "$co") ms | $(ms "$cn") ms |" \
    "$(ratio "$cn" "$co")× | $(runs_ms "$k.old") | $(runs_ms "$k.new") |"
done
result catalogue_size_ratio "$(ratio "${SIZE[new]}" "${SIZE[old]}")"
for k in "${keys[@]}"; do
  result "catalogue_${k}_ratio" "$(ratio "$(med "$k.new")" "$(med "$k.old")")"
  result "catalogue_${k}_cpu_ratio" "$(ratio "$(med "$k.new.cpu")" "$(med "$k.old.cpu")")"
done
