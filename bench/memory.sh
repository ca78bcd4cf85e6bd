#!/usr/bin/env bash
# Peak memory: `/usr/bin/time -v` maximum resident set size of
#   hooktool listen --quiet --capture FILE --count N   while `hooktool send github push --count N
#     --concurrency 16` feeds it (it exits by itself after N deliveries), and of
#   hooktool replay FILE --to nginx                     over that N-line capture (sequential);
# plus adnanh webhook's peak RSS (VmHWM) after N deliveries of the same kind, for comparison.
# Each is repeated ROUNDS times; the table shows medians.
# Usage: bench/memory.sh        (env: HOOKTOOL, ROUNDS=3, N=50000)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
N=${N:-50000}

need_time
need webhook webhook
need jq jq
need python3 python3
ensure_hooktool
start_nginx

maxrss_kb() { awk -F': ' '/Maximum resident set size/ {print $2}' "$1"; }
feed() { # PORT [PATH]: N signed deliveries, 16 in flight; aborts unless all were answered 200
  "$HOOKTOOL" send github push --count "$N" --concurrency 16 --to "http://127.0.0.1:$1${2:-/}" \
    --secret "$SECRET" --json >"$WORK/send.json" || { cat "$WORK/send.json" >&2; die "send failed"; }
  [[ $(jq -r '.statuses["200"] // 0' "$WORK/send.json") == "$N" ]] || { cat "$WORK/send.json" >&2; die "not all deliveries answered 200"; }
}

for ((round = 1; round <= ROUNDS; round++)); do
  log "round $round/$ROUNDS"
  cap=$WORK/cap.jsonl
  rm -f "$cap"

  # listen --capture, fed N deliveries; it stops by itself at --count
  port=$(free_port)
  /usr/bin/time -v -o "$WORK/listen.time" \
    "$HOOKTOOL" listen --port "$port" --quiet --secret "github=$SECRET" --capture "$cap" --count "$N" \
    --timeout 600 >"$WORK/listen.out" 2>"$WORK/listen.err" &
  lpid=$!
  track "$lpid"
  wait_port "$port" "$lpid"
  lchild=$(pgrep -P "$lpid" | head -1 || true) # hooktool itself, under time: stopped first on an abort
  [[ -n $lchild ]] && BENCH_PIDS=("$lchild" "${BENCH_PIDS[@]}")
  feed "$port"
  reap "$lpid" || { cat "$WORK/listen.err" >&2; die "listen exited with an error"; }
  [[ -n $lchild ]] && untrack "$lchild"
  lines=$(wc -l <"$cap")
  valid=$(awk '$7 == "valid"' "$WORK/listen.out" | wc -l)
  [[ $lines == "$N" && $valid == "$N" ]] || die "capture has $lines lines, $valid valid verdicts (want $N)"
  maxrss_kb "$WORK/listen.time" >>"$WORK/listen.kb"
  stat -c %s "$cap" >>"$WORK/cap.bytes"

  # replay over that capture, to nginx
  /usr/bin/time -v -o "$WORK/replay.time" "$HOOKTOOL" replay "$cap" --to "127.0.0.1:$NGINX_PORT" \
    >/dev/null 2>"$WORK/replay.err" || { cat "$WORK/replay.err" >&2; die "replay failed"; }
  grep -q "replayed $N deliveries" "$WORK/replay.err" || { cat "$WORK/replay.err" >&2; die "replay did not send $N"; }
  maxrss_kb "$WORK/replay.time" >>"$WORK/replay.kb"
  awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$WORK/replay.time" >>"$WORK/replay.wall"

  # adnanh webhook after N deliveries (its peak RSS from /proc, then stopped)
  start_webhook
  feed "$WH_PORT" /hooks/github
  awk '/^VmHWM:/ {print $2}' "/proc/$WH_PID/status" >>"$WORK/webhook.kb"
  stop_pid "$WH_PID"
  rm -f "$cap"
  # Idle: a listen that starts, serves nothing and ends (--timeout).
  /usr/bin/time -v "$HOOKTOOL" listen --port 0 --quiet --secret "github=$SECRET" --timeout 0.5 \
    >/dev/null 2>"$WORK/idle.err" || true
  maxrss_kb "$WORK/idle.err" >>"$WORK/idle.kb"
  log "listen $(tail -1 "$WORK/listen.kb") KB, replay $(tail -1 "$WORK/replay.kb") KB, webhook $(tail -1 "$WORK/webhook.kb") KB, idle listen $(tail -1 "$WORK/idle.kb") KB"
done

mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k/1024 }'; }
runs_mib() { awk '{printf "%s%.1f", (NR>1?" ":""), $1/1024}' "$1"; }
listen_kb=$(median $(cat "$WORK/listen.kb"))
replay_kb=$(median $(cat "$WORK/replay.kb"))
webhook_kb=$(median $(cat "$WORK/webhook.kb"))
idle_kb=$(median $(cat "$WORK/idle.kb"))
cap_bytes=$(median $(cat "$WORK/cap.bytes"))

cat <<EOF
Peak RSS in MiB (\`/usr/bin/time -v\` "Maximum resident set size"; for webhook, VmHWM from /proc just
before it is stopped), $ROUNDS rounds, medians. Capture of $N deliveries: $(mib $((cap_bytes / 1024))) MiB
($(fmt0 "$cap_bytes") bytes, $(awk -v b="$cap_bytes" -v n="$N" 'BEGIN { printf "%.0f", b/n }') bytes per line). Replay over it took $(tr '\n' ' ' <"$WORK/replay.wall" | sed 's/ $//') (wall, sequential).

\`\`\`
/usr/bin/time -v hooktool listen --port PORT --quiet --secret github=$SECRET --capture cap.jsonl --count $N
hooktool send github push --count $N --concurrency 16 --to 127.0.0.1:PORT --secret $SECRET --json
/usr/bin/time -v hooktool replay cap.jsonl --to 127.0.0.1:NGINXPORT
webhook -hooks hooks.json -ip 127.0.0.1 -port PORT   # fed the same $N deliveries; VmHWM
\`\`\`

| process | peak RSS (median) | ratio to webhook | runs (MiB) |
| --- | ---: | ---: | --- |
| hooktool listen --quiet --capture, after $N deliveries | $(mib "$listen_kb") MiB | $(ratio "$listen_kb" "$webhook_kb")× | $(runs_mib "$WORK/listen.kb") |
| hooktool replay over the $N-line capture | $(mib "$replay_kb") MiB | $(ratio "$replay_kb" "$webhook_kb")× | $(runs_mib "$WORK/replay.kb") |
| adnanh webhook (HMAC rule), after $N deliveries | $(mib "$webhook_kb") MiB | 1.00× | $(runs_mib "$WORK/webhook.kb") |
| hooktool listen --quiet, idle (started, nothing received, \`--timeout 0.5\`) | $(mib "$idle_kb") MiB | $(ratio "$idle_kb" "$webhook_kb")× | $(runs_mib "$WORK/idle.kb") |
EOF
result listen_rss_mib "$(mib "$listen_kb")"
result replay_rss_mib "$(mib "$replay_kb")"
result webhook_rss_mib "$(mib "$webhook_kb")"
result listen_idle_rss_mib "$(mib "$idle_kb")"
result capture_mib "$(mib $((cap_bytes / 1024)))"
