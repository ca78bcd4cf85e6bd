# shellcheck shell=bash
# Shared helpers for the bench/ scripts; sourced, not run.
# Everything here talks to 127.0.0.1 only; every process started is recorded and stopped by PID on exit.
# Knobs (environment): HOOKTOOL (binary, default build/hooktool), ROUNDS (default 3), SECS (wrk seconds, default 5),
# BENCH_RESULTS (file that key=value results are appended to, for run.sh).

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$BENCH_DIR/.." && pwd)
HOOKTOOL=${HOOKTOOL:-$ROOT/build/hooktool}
ROUNDS=${ROUNDS:-3}
SECS=${SECS:-5}
SECRET=s

log() { printf '[%s] %s\n' "$(date +%T)" "$*" >&2; }
die() { printf 'bench: %s\n' "$*" >&2; exit 1; }

# need COMMAND PACKAGE: install the Debian package when the command is missing.
_apt_updated=0
need() {
  local cmd=$1 pkg=$2
  command -v "$cmd" >/dev/null 2>&1 && return 0
  log "installing $pkg (for $cmd)"
  if [[ $_apt_updated == 0 ]]; then
    apt-get update -qq >/dev/null 2>&1 || true
    _apt_updated=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$pkg" >/dev/null 2>&1 || die "could not install $pkg"
  command -v "$cmd" >/dev/null 2>&1 || die "$pkg installed but $cmd is still missing"
}
need_time() { # GNU time is a file, not a shell builtin
  [[ -x /usr/bin/time ]] && return 0
  need time time || true
  [[ -x /usr/bin/time ]] || die "/usr/bin/time missing"
}

ensure_hooktool() {
  if [[ ! -x $HOOKTOOL ]]; then
    log "building hooktool"
    cmake -S "$ROOT" -B "$ROOT/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
    make -C "$ROOT/build" -j2 hooktool >/dev/null
  fi
  [[ -x $HOOKTOOL ]] || die "no hooktool binary at $HOOKTOOL"
}

# --- processes and the work directory -------------------------------------------------------------
WORK=$(mktemp -d "${TMPDIR:-/tmp}/hooktool-bench.XXXXXX")
declare -a BENCH_PIDS=()
track() { BENCH_PIDS+=("$1"); }
untrack() { # PID: forget a process that has ended (its PID may be reused)
  local i
  for i in "${!BENCH_PIDS[@]}"; do
    if [[ ${BENCH_PIDS[$i]} == "$1" ]]; then unset "BENCH_PIDS[$i]"; fi
  done
}
reap() { # PID: wait for a process we started that ends by itself; returns its exit status
  local rc=0
  wait "$1" || rc=$?
  untrack "$1"
  return "$rc"
}
stop_pid() { # stop one process we started, by PID, reap it, and forget it (its PID may be reused)
  local pid=$1 i found=0
  [[ -z $pid ]] && return 0
  for i in "${!BENCH_PIDS[@]}"; do
    if [[ ${BENCH_PIDS[$i]} == "$pid" ]]; then unset "BENCH_PIDS[$i]"; found=1; fi
  done
  [[ $found == 1 ]] || return 0
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
    if kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid" 2>/dev/null || true; fi
  fi
  wait "$pid" 2>/dev/null || true
}
bench_cleanup() {
  local pid
  for pid in "${BENCH_PIDS[@]:-}"; do if [[ -n $pid ]]; then stop_pid "$pid"; fi; done
  rm -rf "$WORK"
}
trap bench_cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}
wait_port() { # PORT [PID]: until something accepts on 127.0.0.1:PORT (10 s at most)
  local port=$1 pid=${2:-}
  for _ in $(seq 200); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then return 0; fi
    if [[ -n $pid ]] && ! kill -0 "$pid" 2>/dev/null; then die "server (pid $pid) exited before listening on $port"; fi
    sleep 0.05
  done
  die "nothing listening on 127.0.0.1:$port"
}

# --- peers ---------------------------------------------------------------------------------------
# start_nginx: nginx-light with its own prefix/config in $WORK, `return 200` on a free 127.0.0.1 port.
# Sets NGINX_PORT and NGINX_PID. The system nginx service and /etc/nginx are not touched.
start_nginx() {
  need nginx nginx-light
  local d=$WORK/nginx
  mkdir -p "$d/logs" "$d/tmp"
  NGINX_PORT=$(free_port)
  cat >"$d/nginx.conf" <<EOF
worker_processes auto;
pid $d/nginx.pid;
error_log $d/logs/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $d/tmp/body;
  proxy_temp_path $d/tmp/proxy;
  keepalive_requests 1000000;
  keepalive_timeout 60s;
  server {
    listen 127.0.0.1:$NGINX_PORT reuseport backlog=4096;
    location / { return 200; }
  }
}
EOF
  nginx -p "$d" -c "$d/nginx.conf" -e "$d/logs/error.log" -g 'daemon off; master_process on;' &
  NGINX_PID=$!
  track "$NGINX_PID"
  wait_port "$NGINX_PORT" "$NGINX_PID"
  log "nginx (pid $NGINX_PID) on 127.0.0.1:$NGINX_PORT"
}

# start_hooktool_listen OUTFILE ARGS...: `hooktool listen --port 0 ARGS` with stdout to OUTFILE.
# Sets HT_PID and HT_PORT.
start_hooktool_listen() {
  local out=$1; shift
  rm -f "$out" "$out.err" # not a stale port from an earlier run (the redirection happens after fork)
  "$HOOKTOOL" listen --port 0 "$@" >"$out" 2>"$out.err" &
  HT_PID=$!
  track "$HT_PID"
  HT_PORT=""
  for _ in $(seq 200); do
    HT_PORT=$(grep -o '127\.0\.0\.1:[0-9]*' "$out.err" 2>/dev/null | head -1 | cut -d: -f2 || true)
    [[ -n $HT_PORT ]] && break
    kill -0 "$HT_PID" 2>/dev/null || { cat "$out.err" >&2; die "hooktool listen exited"; }
    sleep 0.05
  done
  [[ -n $HT_PORT ]] || die "hooktool listen did not say where it listens"
  wait_port "$HT_PORT" "$HT_PID"
}

# start_webhook: adnanh webhook with a hook "github" whose trigger rule verifies X-Hub-Signature-256
# (payload-hmac-sha256) with secret $SECRET. No command is run: like `hooktool listen`, it only
# verifies and answers 200 (a bad signature is a 500, a rule mismatch a 401). Sets WH_PID and WH_PORT.
start_webhook() {
  need webhook webhook
  cat >"$WORK/hooks.json" <<EOF
[{"id": "github",
  "execute-command": "",
  "response-message": "ok",
  "trigger-rule-mismatch-http-response-code": 401,
  "trigger-rule": {"match": {"type": "payload-hmac-sha256", "secret": "$SECRET",
                             "parameter": {"source": "header", "name": "X-Hub-Signature-256"}}}}]
EOF
  WH_PORT=$(free_port)
  webhook -hooks "$WORK/hooks.json" -ip 127.0.0.1 -port "$WH_PORT" -http-methods POST >"$WORK/webhook.log" 2>&1 &
  WH_PID=$!
  track "$WH_PID"
  wait_port "$WH_PORT" "$WH_PID"
}

# --- the request ---------------------------------------------------------------------------------
# make_request NAME [send args...]: one signed GitHub push from `hooktool send --dry-run --json`.
# Writes $WORK/NAME.body (exact bytes), $WORK/NAME.headers (curl -H @file), $WORK/NAME.lua (wrk),
# $WORK/NAME.hargs (one "Name: value" per line, for hey/ab -H).
make_request() {
  local name=$1; shift
  "$HOOKTOOL" send github push --to 127.0.0.1:9 --secret "$SECRET" --dry-run --json "$@" >"$WORK/$name.json"
  python3 - "$WORK" "$name" <<'PY'
import json, sys
work, name = sys.argv[1], sys.argv[2]
r = json.load(open(f"{work}/{name}.json"))
body = r["body"].encode()
open(f"{work}/{name}.body", "wb").write(body)

def lua_str(s):  # a double-quoted Lua string literal, every byte outside printable ASCII escaped
    out = []
    for b in s.encode():
        c = chr(b)
        if c in '"\\':
            out.append("\\" + c)
        elif 32 <= b < 127:
            out.append(c)
        else:
            out.append("\\%03d" % b)
    return '"' + "".join(out) + '"'

lines = ['wrk.method = "POST"',
         f'local f = assert(io.open({lua_str(f"{work}/{name}.body")}, "rb"))',
         'wrk.body = f:read("*a")',
         'f:close()']
with open(f"{work}/{name}.headers", "w") as h:
    for k, v in r["headers"]:
        lines.append(f"wrk.headers[{lua_str(k)}] = {lua_str(v)}")
        h.write(f"{k}: {v}\n")
open(f"{work}/{name}.lua", "w").write("\n".join(lines) + "\n")
open(f"{work}/{name}.hargs", "w").write("".join(f"{k}: {v}\n" for k, v in r["headers"]))
PY
}

# --- numbers -------------------------------------------------------------------------------------
median() { # numbers as arguments -> median (mean of the middle two for an even count)
  printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END { if (NR==0) {print "nan"; exit}
    if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2 }'
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b+0 == 0) print "n/a"; else printf "%.2f", a/b }'; }
fmt0() { awk -v a="$1" 'BEGIN { printf "%.0f", a }'; }
fmt1() { awk -v a="$1" 'BEGIN { printf "%.1f", a }'; }
fmt2() { awk -v a="$1" 'BEGIN { printf "%.2f", a }'; }
result() { # KEY VALUE: for run.sh's goal check
  [[ -n ${BENCH_RESULTS:-} ]] && printf '%s=%s\n' "$1" "$2" >>"$BENCH_RESULTS"
  return 0
}

# wrk_rps FILE: requests/s from wrk's report; aborts on non-2xx answers
wrk_rps() {
  local f=$1
  if grep -q 'Non-2xx' "$f"; then cat "$f" >&2; die "wrk saw non-2xx answers"; fi
  if grep -q 'Socket errors' "$f"; then log "wrk: $(grep 'Socket errors' "$f" | tr -s ' ')"; fi
  awk '/^Requests\/sec:/ {print $2}' "$f"
}
