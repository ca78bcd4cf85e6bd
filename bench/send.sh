#!/usr/bin/env bash
# Sending side: load generators POSTing a signed GitHub push (~4 KB) at nginx-light `return 200`
# on 127.0.0.1, 32 at a time, in the same run:
#   hooktool send github push --count 20000 --concurrency 32 (each delivery freshly rendered and signed),
#   the same with --same-payload, hey -n 20000 -c 32, ab -k -n 20000 -c 32, and wrk -c32 -d5s.
# Each measurement is repeated ROUNDS times (tools interleaved); the table shows medians and the
# ratios of medians to ab -k, hey and wrk. MEM_COUNT=N (e.g. 1000000) adds one fresh-delivery run
# of N requests under /usr/bin/time -v and reports its peak RSS next to a COUNT-request run's (the
# load engine's memory must stay flat). BASE=/path/to/another/hooktool adds that binary's two runs
# (fresh and --same-payload) to every round, interleaved, for a before/after in the same
# conditions; HT_ARGS adds arguments to hooktool's runs (not BASE's), e.g. HT_ARGS="--threads 2".
# Usage: bench/send.sh        (env: HOOKTOOL, BASE, HT_ARGS, ROUNDS=3, SECS=5, COUNT=20000, CONC=32,
#                              MEM_COUNT=0)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
COUNT=${COUNT:-20000}
CONC=${CONC:-32}
MEM_COUNT=${MEM_COUNT:-0}
BASE=${BASE:-}
read -r -a ht_args <<<"${HT_ARGS:-}"
[[ -z $BASE || -x $BASE ]] || die "no hooktool binary at BASE=$BASE"

need wrk wrk
need hey hey
need ab apache2-utils
need jq jq
need python3 python3
ensure_hooktool
start_nginx
URL="http://127.0.0.1:$NGINX_PORT/"

make_request req # the same kind of bytes hooktool sends: one github push, signed
BODY_BYTES=$(wc -c <"$WORK/req.body")
hargs=() # -H for hey and ab; they set Content-Type themselves with -T
while IFS= read -r h; do
  [[ ${h,,} == content-type:* ]] || hargs+=(-H "$h")
done <"$WORK/req.hargs"

run_hooktool() { # LABEL BINARY [extra args]
  local label=$1 bin=$2; shift 2
  "$bin" send github push --count "$COUNT" --concurrency "$CONC" --to "127.0.0.1:$NGINX_PORT" \
    --secret "$SECRET" --json "$@" >"$WORK/ht.json" || { cat "$WORK/ht.json" >&2; die "hooktool send failed"; }
  local ok n rps
  ok=$(jq -r '.ok' "$WORK/ht.json")
  n=$(jq -r '.statuses["200"] // 0' "$WORK/ht.json")
  [[ $ok == true && $n == "$COUNT" ]] || { cat "$WORK/ht.json" >&2; die "hooktool send: $n of $COUNT answered 200"; }
  rps=$(jq -r '.requests_per_second' "$WORK/ht.json")
  echo "$rps" >>"$WORK/$label.rps"
  log "$label: $rps req/s"
}
run_hey() {
  hey -n "$COUNT" -c "$CONC" -m POST -D "$WORK/req.body" -T application/json "${hargs[@]}" "$URL" >"$WORK/hey.out"
  local n rps
  # The status line ("[200]	20000 responses"), not a histogram bucket that holds 200 requests.
  n=$(awk '$1 == "[200]" && $3 == "responses" {print $2}' "$WORK/hey.out")
  [[ $n == "$COUNT" ]] || { cat "$WORK/hey.out" >&2; die "hey: ${n:-0} of $COUNT answered 200"; }
  rps=$(awk '/Requests\/sec:/ {print $2}' "$WORK/hey.out")
  echo "$rps" >>"$WORK/hey.rps"
  log "hey: $rps req/s"
}
run_ab() {
  ab -q -k -n "$COUNT" -c "$CONC" -p "$WORK/req.body" -T application/json "${hargs[@]}" "$URL" >"$WORK/ab.out" 2>&1
  local failed rps
  failed=$(awk '/^Failed requests:/ {print $3}' "$WORK/ab.out")
  if [[ $failed != 0 ]] || grep -q 'Non-2xx' "$WORK/ab.out"; then cat "$WORK/ab.out" >&2; die "ab: failures"; fi
  rps=$(awk '/^Requests per second:/ {print $4}' "$WORK/ab.out")
  echo "$rps" >>"$WORK/ab.rps"
  log "ab: $rps req/s"
}
run_wrk() {
  wrk -t2 -c"$CONC" -d"${SECS}s" -s "$WORK/req.lua" "$URL" >"$WORK/wrk.out" 2>&1
  local rps
  rps=$(wrk_rps "$WORK/wrk.out")
  echo "$rps" >>"$WORK/wrk.rps"
  log "wrk: $rps req/s"
}

tools=(hooktool same)
[[ -z $BASE ]] || tools+=(base base_same)
tools+=(hey ab wrk)
for ((round = 1; round <= ROUNDS; round++)); do
  log "round $round/$ROUNDS"
  run_hooktool hooktool "$HOOKTOOL" "${ht_args[@]}"
  run_hooktool same "$HOOKTOOL" --same-payload "${ht_args[@]}"
  if [[ -n $BASE ]]; then
    run_hooktool base "$BASE"
    run_hooktool base_same "$BASE" --same-payload
  fi
  run_hey
  run_ab
  run_wrk
done

declare -A name=(
  [hooktool]="hooktool send --count $COUNT --concurrency $CONC${HT_ARGS:+ $HT_ARGS}"
  [same]="hooktool send … --same-payload${HT_ARGS:+ $HT_ARGS}"
  [base]="BASE send --count $COUNT --concurrency $CONC"
  [base_same]="BASE send … --same-payload"
  [hey]="hey -n $COUNT -c $CONC"
  [ab]="ab -k -n $COUNT -c $CONC"
  [wrk]="wrk -t2 -c$CONC -d${SECS}s"
)
wrk_med=$(median $(cat "$WORK/wrk.rps"))
ab_med=$(median $(cat "$WORK/ab.rps"))
hey_med=$(median $(cat "$WORK/hey.rps"))

peak_rss() { # COUNT: peak RSS in MiB of one fresh-delivery run of COUNT requests
  need_time
  /usr/bin/time -v "$HOOKTOOL" send github push --count "$1" --concurrency "$CONC" --to "127.0.0.1:$NGINX_PORT" \
    --secret "$SECRET" --json >"$WORK/mem.json" 2>"$WORK/mem.err" || { cat "$WORK/mem.err" >&2; die "hooktool send failed"; }
  awk '/Maximum resident set size/ {printf "%.1f", $6/1024}' "$WORK/mem.err"
}
if ((MEM_COUNT > 0)); then
  rss_small=$(peak_rss "$COUNT")
  rss_big=$(peak_rss "$MEM_COUNT")
  log "peak RSS: $rss_small MiB after $COUNT, $rss_big MiB after $MEM_COUNT"
fi

cat <<EOF
Target: nginx-light \`return 200\` on 127.0.0.1. Body: $BODY_BYTES bytes (signed GitHub push), keep-alive,
$CONC in flight, $ROUNDS rounds (tools interleaved), medians. hooktool renders and signs every delivery
afresh (new ids, new signature) unless \`--same-payload\`; the peers send one fixed body.

\`\`\`
hooktool send github push --count $COUNT --concurrency $CONC --to 127.0.0.1:PORT --secret $SECRET --json [--same-payload]
hey -n $COUNT -c $CONC -m POST -D body -T application/json -H ... http://127.0.0.1:PORT/
ab -k -n $COUNT -c $CONC -p body -T application/json -H ... http://127.0.0.1:PORT/
wrk -t2 -c$CONC -d${SECS}s -s post.lua http://127.0.0.1:PORT/
\`\`\`

| tool | req/s (median) | ratio to ab -k | ratio to hey | ratio to wrk | runs (req/s) |
| --- | ---: | ---: | ---: | ---: | --- |
EOF
for t in "${tools[@]}"; do
  rps=$(median $(cat "$WORK/$t.rps"))
  r=$(ratio "$rps" "$wrk_med")
  printf '| %s | %s | %s× | %s× | %s× | %s |\n' "${name[$t]}" "$(fmt0 "$rps")" "$(ratio "$rps" "$ab_med")" \
    "$(ratio "$rps" "$hey_med")" "$r" "$(tr '\n' ' ' <"$WORK/$t.rps" | sed 's/ $//')"
  result "send_${t}_rps" "$rps"
  result "send_${t}_ratio" "$r"
  result "send_${t}_ab_ratio" "$(ratio "$rps" "$ab_med")"
done
if ((MEM_COUNT > 0)); then
  echo
  echo "Peak RSS of one fresh-delivery run (\`/usr/bin/time -v\`): $rss_small MiB after $COUNT requests, $rss_big MiB after $MEM_COUNT."
  result send_rss_small_mib "$rss_small"
  result send_rss_big_mib "$rss_big"
fi
