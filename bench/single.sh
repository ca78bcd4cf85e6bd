#!/usr/bin/env bash
# Start-up and one request: hyperfine -N (no shell) of one `hooktool send github push` vs one curl POST
# of the same kind of bytes (a signed GitHub push, same headers) to nginx-light `return 200` on
# 127.0.0.1, `hooktool send --dry-run` (render and sign, print, no network) vs the same curl POST,
# and `hooktool --version` vs `curl --version`. hyperfine runs each command RUNS times
# after WARMUP; the table shows medians (hyperfine's own), and the whole is repeated ROUNDS times
# (median of the medians).
# Usage: bench/single.sh        (env: HOOKTOOL, ROUNDS=3, RUNS=50, WARMUP=5)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
RUNS=${RUNS:-50}
WARMUP=${WARMUP:-5}

need hyperfine hyperfine
need curl curl
need jq jq
need python3 python3
ensure_hooktool
start_nginx
URL="http://127.0.0.1:$NGINX_PORT/"
make_request req

cmds=(
  "$HOOKTOOL send github push --to 127.0.0.1:$NGINX_PORT --secret $SECRET"
  "curl -s -o /dev/null -X POST --data-binary @$WORK/req.body -H @$WORK/req.headers $URL"
  "$HOOKTOOL --version"
  "curl --version"
  "$HOOKTOOL send github push --to 127.0.0.1:$NGINX_PORT --secret $SECRET --dry-run"
)
keys=(send curl version curlversion dryrun)
# The commands must work before they are timed (hyperfine -N would also fail on a non-zero exit).
"$HOOKTOOL" send github push --to "127.0.0.1:$NGINX_PORT" --secret "$SECRET" >/dev/null || die "hooktool send failed"
code=$(curl -s -o /dev/null -w '%{http_code}' -X POST --data-binary "@$WORK/req.body" -H "@$WORK/req.headers" "$URL")
[[ $code == 200 ]] || die "curl POST answered $code"

for ((round = 1; round <= ROUNDS; round++)); do
  log "round $round/$ROUNDS"
  hyperfine -N --style none --warmup "$WARMUP" --runs "$RUNS" --export-json "$WORK/hf.json" "${cmds[@]}" >/dev/null 2>"$WORK/hf.err" \
    || { cat "$WORK/hf.err" >&2; die "hyperfine failed"; }
  for i in "${!keys[@]}"; do
    jq -r ".results[$i].median" "$WORK/hf.json" >>"$WORK/${keys[$i]}.s"
  done
  log "medians (ms): $(for k in "${keys[@]}"; do printf '%s=%s ' "$k" "$(tail -1 "$WORK/$k.s" | awk '{printf "%.2f", $1*1000}')"; done)"
done

ms() { awk -v s="$1" 'BEGIN { printf "%.2f", s*1000 }'; }
med() { median $(cat "$WORK/$1.s"); }
runs_ms() { awk '{printf "%s%.2f", (NR>1?" ":""), $1*1000}' "$WORK/$1.s"; }
send=$(med send) curl=$(med curl) ver=$(med version) cver=$(med curlversion) dry=$(med dryrun)

cat <<EOF
One process per run, no shell (\`hyperfine -N --warmup $WARMUP --runs $RUNS\`), nginx-light \`return 200\` on
127.0.0.1 as the target; $ROUNDS rounds, median of hyperfine's medians. hooktool renders and signs the
delivery itself; curl posts a ready-made body of the same kind with the same headers.

\`\`\`
hyperfine -N --warmup $WARMUP --runs $RUNS \\
  'hooktool send github push --to 127.0.0.1:PORT --secret $SECRET' \\
  'curl -s -o /dev/null -X POST --data-binary @body -H @headers http://127.0.0.1:PORT/' \\
  'hooktool --version' 'curl --version' \\
  'hooktool send github push --to 127.0.0.1:PORT --secret $SECRET --dry-run'
\`\`\`

| command | wall (median) | ratio | runs (ms) |
| --- | ---: | ---: | --- |
| hooktool send github push | $(ms "$send") ms | $(ratio "$send" "$curl")× curl POST | $(runs_ms send) |
| curl POST (same bytes) | $(ms "$curl") ms | 1.00× | $(runs_ms curl) |
| hooktool --version | $(ms "$ver") ms | $(ratio "$ver" "$cver")× curl --version | $(runs_ms version) |
| curl --version | $(ms "$cver") ms | 1.00× | $(runs_ms curlversion) |
| hooktool send … --dry-run | $(ms "$dry") ms | $(ratio "$dry" "$curl")× curl POST | $(runs_ms dryrun) |
EOF
result single_send_ms "$(ms "$send")"
result single_curl_ms "$(ms "$curl")"
result single_ratio "$(ratio "$send" "$curl")"
result version_ms "$(ms "$ver")"
result curl_version_ms "$(ms "$cver")"
result version_ratio "$(ratio "$ver" "$cver")"
result dryrun_ms "$(ms "$dry")"
result dryrun_ratio "$(ratio "$dry" "$curl")"
