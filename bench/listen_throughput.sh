#!/usr/bin/env bash
# Deliveries per second that `hooktool listen` takes on loopback while verifying each one,
# with and without --capture, measured with wrk (POST of one signed Stripe delivery, keep-alive).
# Usage: bench/listen_throughput.sh [build/hooktool] [seconds] [connections]
set -euo pipefail
bin=${1:-build/hooktool}
secs=${2:-5}
conns=${3:-32}
command -v wrk >/dev/null || { echo "needs wrk (apt-get install wrk)" >&2; exit 2; }
work=$(mktemp -d)
pid=""
cleanup() { [[ -n $pid ]] && kill "$pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

# One signed delivery (signature made now; tolerance is turned off so it stays valid).
"$bin" send stripe invoice.paid --to 127.0.0.1:9 --secret whsec_bench --dry-run --json >"$work/req.json"
python3 - "$work" <<'PY'
import json, sys
work = sys.argv[1]
r = json.load(open(f"{work}/req.json"))
open(f"{work}/body", "wb").write(r["body"].encode())
def lua(s):  # a Lua long string cannot hold "]==]"; header values never do
    return "[==[" + s + "]==]"
lines = ['wrk.method = "POST"', f'local f = io.open("{work}/body", "rb")', "wrk.body = f:read('*a')",
         "f:close()"]
for name, value in r["headers"]:
    lines.append(f"wrk.headers[ {lua(name)} ] = {lua(value)}")
open(f"{work}/post.lua", "w").write("\n".join(lines) + "\n")
print(f"body: {len(r['body'].encode())} bytes")
PY

run() { # label, listen args...
  local label=$1; shift
  "$bin" listen --port 0 --quiet --secret stripe=whsec_bench --tolerance 0 "$@" >"$work/out" 2>"$work/err" &
  pid=$!
  for _ in $(seq 100); do grep -q "listening on" "$work/err" && break; sleep 0.05; done
  local port; port=$(grep -o '127.0.0.1:[0-9]*' "$work/err" | head -1 | cut -d: -f2)
  wrk -t2 -c"$conns" -d"${secs}s" -s "$work/post.lua" "http://127.0.0.1:$port/hook" >"$work/wrk" 2>&1
  local rps; rps=$(awk '/Requests\/sec/ {print $2}' "$work/wrk")
  grep -q "Non-2xx\|Socket errors" "$work/wrk" && { cat "$work/wrk" >&2; }
  kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""
  printf '%-36s %10s req/s  (verdicts: %s)\n' "$label" "$rps" "$(awk '{print $7}' "$work/out" | sort | uniq -c | tr -s ' ' | tr '\n' ' ')"
}
run "listen --quiet (verify)"
run "listen --quiet --capture (verify)" --capture "$work/cap.jsonl"
echo "captured lines: $(wc -l <"$work/cap.jsonl")"
