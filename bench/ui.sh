#!/usr/bin/env bash
# The web inspector's page load (issue #16), in Debian's headless Chromium driven by playwright-core
# (tests/browser/node_modules, installed by `.ci/setup --test`), side by side in the same run:
#   blank   a blank HTML page from nginx-light: the floor, Chromium's own cost of a navigation
#   nginx   the inspector's page exactly as listen serves it (its bytes and CSP, fetched from it)
#           from nginx, the API calls it makes at start answered by nginx with an empty list: the
#           page's own cost without hooktool's server
#   listen  `hooktool listen --ui --ui-port 0` with an empty capture
#   base    the same with another binary (BASE=path/to/hooktool, e.g. main's build), if given
#   10k     listen with N (10,000) deliveries in the capture file (made as tests/browser/load.test.mjs does)
#   10kbase the same with BASE, if given
# Each is loaded ROUNDS times (order alternating) in two ways: in a new tab (a new browser context,
# so a new renderer process, as the browser tests open the page) and in a tab that stays open (a
# navigation from about:blank, as a reload is). Printed: medians of navigation start →
# DOMContentLoaded, → the load event, → first rows drawn (body[data-ready]: the rows are in the
# document; since the page carries its first rows, that is before it is first painted), → first
# contentful paint (the rows on screen when they are drawn by then), and the wall time as
# driven; then a DevTools trace of one load of listen's page in a new tab, summarised: when the
# requests went and came back, the page's main-thread work by kind and its long tasks, and the
# other Chromium processes busy meanwhile (on 2 cores they compete with the page).
# Usage: bench/ui.sh   (env: HOOKTOOL, BASE, ROUNDS=15, N=10000; TRACE_OUT=FILE keeps the trace,
#                       LOADS_OUT=FILE every load's timings as JSON lines)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
ROUNDS=${ROUNDS:-15}
N=${N:-10000}
CHROMIUM=${HOOKTOOL_CHROMIUM:-/usr/bin/chromium}

need python3 python3
need node nodejs
[[ -x $CHROMIUM ]] || need chromium chromium
[[ -d $ROOT/tests/browser/node_modules/playwright-core ]] ||
  die "no tests/browser/node_modules (run .ci/setup --test, or npm ci in tests/browser)"
ensure_hooktool
# write_driver FILE: the node script that loads the pages and summarises the trace
write_driver() {
  cat >"$1" <<'JSEOF'
// bench/ui.sh's driver (written to its work directory and run by it; not a test): loads pages in Debian's headless Chromium via
// playwright-core (tests/browser/node_modules) and prints one JSON line per load, or summarises
// a DevTools trace of one load.
//   node ui_driver.cjs loads ROUNDS NAME=URL[=ready] ...   (ready: wait for body[data-ready])
//   node ui_driver.cjs trace OUT.json URL[=ready]          (then prints the breakdown)
// Every wait is bounded. Talks to the 127.0.0.1 URLs it is given only.
'use strict';
const path = require('node:path');
const fs = require('node:fs');

const ROOT = process.env.HOOKTOOL_ROOT;
const { chromium } = require(path.join(ROOT, 'tests/browser/node_modules/playwright-core'));
const CHROMIUM = process.env.HOOKTOOL_CHROMIUM || '/usr/bin/chromium';

function launch() {
  return chromium.launch({ executablePath: CHROMIUM, headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage',
      ...(process.env.UI_CHROMIUM_ARGS || '').split(' ').filter(Boolean)] });
}

function parseTarget(spec) {
  const [name, ...rest] = spec.split('=');
  let url = rest.join('=');
  let ready = false;
  if (url.endsWith('=ready')) { ready = true; url = url.slice(0, -'=ready'.length); }
  return { name, url, ready };
}

// Bounded poll for body[data-ready] (the page's CSP forbids the eval waitForFunction needs).
async function waitReady(page, ms = 20000) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await page.evaluate(() => document.body && document.body.dataset.ready !== undefined)) return;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error('no body[data-ready] within ' + ms + ' ms at ' + page.url());
}

async function timings(page) {
  return page.evaluate(() => {
    const nav = performance.getEntriesByType('navigation')[0];
    const paint = Object.fromEntries(performance.getEntriesByType('paint').map((p) => [p.name, p.startTime]));
    const res = performance.getEntriesByType('resource').map((r) => ({ name: new URL(r.name).pathname,
      start: r.startTime, end: r.responseEnd, blocking: r.renderBlockingStatus }));
    const ready = document.body.dataset.ready;
    return { ttfb: nav.responseStart, response_end: nav.responseEnd, dcl: nav.domContentLoadedEventEnd,
      load: nav.loadEventEnd, fcp: paint['first-contentful-paint'] ?? null,
      ready: ready === undefined ? null : Number(ready), resources: res };
  });
}

async function loadOnce(browser, t, mode, state) {
  // "tab": a new page (a new browser context, a new renderer) per load, as the tests open it.
  // "same": navigations in one page that stays open (renderer warm), as a reload is.
  let page;
  if (mode === 'tab') page = await browser.newPage({ viewport: { width: 1600, height: 900 } });
  else {
    state.pages ??= {};
    page = state.pages[t.name] ??= await browser.newPage({ viewport: { width: 1600, height: 900 } });
    await page.goto('about:blank');
  }
  const notes = [];
  page.on('console', (m) => notes.push(m.text()));
  page.on('pageerror', (e) => notes.push(String(e)));
  const wallStart = process.hrtime.bigint();
  await page.goto(t.url, { waitUntil: 'load', timeout: 30000 });
  if (t.ready) await waitReady(page).catch((e) => { throw new Error(e.message + ': ' + notes.join('; ')); });
  const wall = Number(process.hrtime.bigint() - wallStart) / 1e6;
  const r = await timings(page);
  if (mode === 'tab') await page.context().close();
  return { target: t.name, mode, wall, ...r };
}

async function loads(rounds, specs) {
  const targets = specs.map(parseTarget);
  const browser = await launch();
  const state = {};
  try {
    // One untimed warm-up load of each (the first navigation of a browser pays its own start).
    for (const t of targets) await loadOnce(browser, t, 'tab', state);
    for (let i = 0; i < rounds; i++) {
      // Alternate the order so neither target always goes first after the other's load.
      const order = i % 2 ? [...targets].reverse() : targets;
      for (const mode of ['tab', 'same'])
        for (const t of order) console.log(JSON.stringify({ round: i + 1, ...(await loadOnce(browser, t, mode, state)) }));
    }
  } finally {
    await browser.close();
  }
}

// ---- trace ----

// What one traced load spent its time on: the page's renderer main thread (top-level tasks and
// the work inside them, self time by kind), its requests, and which other Chromium processes
// were busy meanwhile (on 2 cores they compete with the page).
function summarise(traceFile, pageUrl) {
  const events = JSON.parse(fs.readFileSync(traceFile, 'utf8')).traceEvents;
  const thread = new Map();
  const proc = new Map();
  for (const e of events) {
    if (e.ph === 'M' && e.name === 'thread_name') thread.set(e.pid + ':' + e.tid, e.args.name);
    if (e.ph === 'M' && e.name === 'process_name') proc.set(e.pid, e.args.name);
  }
  const nav = events.find((e) => e.name === 'navigationStart' && e.args?.data?.documentLoaderURL === pageUrl);
  if (!nav) throw new Error('no navigationStart for ' + pageUrl + ' in ' + traceFile);
  const t0 = nav.ts;
  const key = nav.pid + ':' + nav.tid;
  const ms = (ts) => ((ts - t0) / 1000).toFixed(1);
  const frameEvent = (name) => events.find((e) => e.name === name && e.pid === nav.pid && e.ts >= t0 &&
    (name !== 'ParseHTML' || e.args?.beginData?.url === pageUrl));
  const out = [`times in ms from navigation start; renderer main thread ${key}`];
  const marks = [['HTML parsing starts', 'ParseHTML'], ['DOMContentLoaded', 'MarkDOMContent'],
    ['load event', 'MarkLoad'], ['first contentful paint', 'firstContentfulPaint']];
  for (const [label, name] of marks) { const e = frameEvent(name); out.push(`  ${label.padEnd(24)} ${e ? ms(e.ts) : '—'}`); }
  const loadAt = frameEvent('MarkLoad')?.ts ?? t0 + 1e6;
  const origin = new URL(pageUrl).origin;
  const finish = new Map();
  for (const e of events) if (e.name === 'ResourceFinish' && e.args?.data?.requestId) finish.set(e.args.data.requestId, e.ts);
  for (const e of events) {
    const d = e.args?.data;
    if (e.name !== 'ResourceSendRequest' || !d?.url?.startsWith(origin) || e.ts < t0 - 1000) continue;
    const done = finish.get(d.requestId);
    out.push(`  request ${new URL(d.url).pathname.padEnd(16)} sent ${ms(e.ts).padStart(6)}, done ${done ? ms(done).padStart(6) : '     —'}` +
      ` (priority ${d.priority}${d.renderBlocking ? ', ' + d.renderBlocking : ''})`);
  }
  // Self time by event on the page's main thread up to the load event.
  const main = events.filter((e) => e.pid + ':' + e.tid === key && e.ph === 'X' && e.dur !== undefined &&
    e.ts >= t0 && e.ts <= loadAt).sort((a, b) => a.ts - b.ts || b.dur - a.dur);
  const self = new Map();
  const stack = [];
  const tops = [];
  let busy = 0;
  for (const e of main) {
    while (stack.length && stack[stack.length - 1].ts + stack[stack.length - 1].dur <= e.ts) stack.pop();
    if (stack.length) { const p = stack[stack.length - 1]; self.set(p.name, (self.get(p.name) || 0) - e.dur); }
    else { busy += e.dur; tops.push({ e, inner: [] }); }
    if (stack.length >= 1 && stack.length <= 6 && e.dur >= 1000) tops[tops.length - 1].inner.push(e);
    self.set(e.name, (self.get(e.name) || 0) + e.dur);
    stack.push(e);
  }
  out.push(`  page main thread until the load event: busy ${(busy / 1000).toFixed(1)} of ${((loadAt - t0) / 1000).toFixed(1)} ms; self time by kind (≥ 0.5 ms):`);
  for (const [n, d] of [...self].filter(([, d]) => d >= 500).sort((a, b) => b[1] - a[1]).slice(0, 14))
    out.push(`    ${n.padEnd(44)} ${(d / 1000).toFixed(1)}`);
  out.push('  page main-thread tasks ≥ 3 ms (start +duration: the larger steps inside):');
  const boring = /^(RunTask|ThreadControllerImpl::RunTask|Receive mojo message|AsyncTask Run|PendingScript::ExecuteScriptBlock)$/;
  for (const { e, inner } of tops.filter((x) => x.e.dur >= 3000)) {
    const steps = inner.filter((k) => !boring.test(k.name)).slice(0, 5)
      .map((k) => `${k.name}${k.args?.data?.url ? ' ' + new URL(k.args.data.url).pathname : ''} ${(k.dur / 1000).toFixed(1)}`);
    out.push(`    ${ms(e.ts).padStart(6)} +${(e.dur / 1000).toFixed(1).padStart(5)}  ${steps.join('; ')}`);
  }
  // Other busy threads between navigation start and the load event.
  const byThread = new Map();
  for (const e of events) {
    if (e.ph !== 'X' || e.dur === undefined || e.ts < t0 || e.ts > loadAt) continue;
    const k = e.pid + ':' + e.tid;
    if (!byThread.has(k)) byThread.set(k, []);
    byThread.get(k).push(e);
  }
  const load = [];
  for (const [k, list] of byThread) {
    list.sort((a, b) => a.ts - b.ts);
    let end = 0, sum = 0;
    for (const e of list) if (e.ts >= end) { sum += Math.min(e.dur, loadAt - e.ts); end = e.ts + e.dur; }
    load.push([k, sum]);
  }
  out.push('  busiest threads of all Chromium processes in that time (ms):');
  for (const [k, sum] of load.sort((a, b) => b[1] - a[1]).slice(0, 8))
    out.push(`    ${(sum / 1000).toFixed(1).padStart(6)}  ${proc.get(Number(k.split(':')[0])) || '?'} / ${thread.get(k) || k}${k === key ? ' (the page)' : ''}`);
  return out.join('\n');
}

async function trace(outFile, spec) {
  const t = parseTarget(spec);
  const browser = await launch();
  try {
    // Warm the browser with one load first, then trace a fresh tab's load.
    await loadOnce(browser, t, 'tab', {});
    const page = await browser.newPage({ viewport: { width: 1600, height: 900 } });
    await browser.startTracing(undefined, { path: outFile, categories: ['devtools.timeline', 'blink.user_timing',
      'loading', 'navigation', 'toplevel', 'v8.execute', 'disabled-by-default-devtools.timeline', 'blink', 'netlog'] });
    await page.goto(t.url, { waitUntil: 'load' });
    if (t.ready) await waitReady(page);
    await new Promise((r) => setTimeout(r, 100)); // let the trace buffers of the load's last tasks flush
    await browser.stopTracing();
    const r = await timings(page);
    console.log(`load event ${r.load.toFixed(1)} ms, DOMContentLoaded ${r.dcl.toFixed(1)} ms, ready ${r.ready?.toFixed(1)} ms (this traced load; tracing adds overhead)`);
  } finally {
    await browser.close();
  }
  console.log(summarise(outFile, t.url));
}

const [cmd, ...args] = process.argv.slice(2);
const run = cmd === 'loads' ? loads(Number(args[0]), args.slice(1))
  : cmd === 'trace' ? trace(args[0], args[1])
  : cmd === 'summarise' ? Promise.resolve(console.log(summarise(args[0], args[1])))
  : Promise.reject(new Error('usage: ui_driver.cjs loads ROUNDS NAME=URL[=ready]… | trace OUT URL[=ready]'));
run.catch((e) => { console.error('ui_driver: ' + (e.stack || e)); process.exit(1); });
JSEOF
}
driver=$WORK/ui_driver.cjs
write_driver "$driver"
export HOOKTOOL_ROOT=$ROOT

# start_ui NAME BINARY ARGS…: listen --ui on free ports; sets UI_URL, records the PID
start_ui() {
  local name=$1 bin=$2
  shift 2
  HOOKTOOL=$bin start_hooktool_listen "$WORK/$name.out" -q --ui --ui-port 0 "$@"
  UI_URL=""
  for _ in $(seq 200); do
    UI_URL=$(grep -o 'inspector on http://[^ ]*' "$WORK/$name.out.err" | head -1 | cut -d' ' -f3 || true)
    [[ -n $UI_URL ]] && break
    sleep 0.05
  done
  [[ -n $UI_URL ]] || die "listen --ui did not say where the inspector is"
}

start_ui listen "$HOOKTOOL" --capture "$WORK/empty.jsonl"
url_listen=$UI_URL
if [[ -n ${BASE:-} ]]; then
  [[ -x $BASE ]] || die "BASE=$BASE is not an executable"
  start_ui base "$BASE" --capture "$WORK/empty-base.jsonl"
  url_base=$UI_URL
fi

# --- nginx: the floor, and the page without hooktool's server ---------------------------------------
# nginx-light with its own prefix: /blank.html is a blank page; / is the page as listen served it
# just now (its bytes and CSP header), its assets beside it; the API calls the page makes at start
# get an empty answer, the event stream a 204 (no reconnect).
need nginx nginx-light
www=$WORK/www
mkdir -p "$www" "$WORK/nginx/logs" "$WORK/nginx/tmp"
chmod 755 "$WORK" # nginx's workers (nobody) read $www
printf '<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>blank</title></head><body></body></html>\n' >"$www/blank.html"
csp=$(python3 - "$url_listen" "$www" <<'EOF'
import sys, urllib.request
url, www = sys.argv[1], sys.argv[2]
with urllib.request.urlopen(url, timeout=10) as r:
    open(www + "/index.html", "wb").write(r.read())
    print(r.headers["Content-Security-Policy"])
for name in ("app.js", "app.css"):
    with urllib.request.urlopen(url + name, timeout=10) as r:
        open(www + "/" + name, "wb").write(r.read())
EOF
)
[[ -n $csp ]] || die "listen's page came without a CSP"
NGINX_PORT=$(free_port)
cat >"$WORK/nginx/nginx.conf" <<EOF
worker_processes 1;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/logs/error.log warn;
events { worker_connections 256; }
http {
  access_log off;
  client_body_temp_path $WORK/nginx/tmp/body;
  proxy_temp_path $WORK/nginx/tmp/proxy;
  types { text/html html; text/css css; text/javascript js; }
  server {
    listen 127.0.0.1:$NGINX_PORT;
    root $www;
    add_header Cache-Control no-store;
    add_header Content-Security-Policy "$csp";
    location = /api/deliveries { default_type application/json;
      return 200 '{"deliveries":[],"more":false,"history_before":null,"last_seq":0,"capture":null}\n'; }
    location = /api/simulation { default_type application/json;
      return 200 '{"status":200,"delay_ms":0,"fail_rate":0,"fail_status":500}\n'; }
    location = /api/events { return 204; }
    location / { index index.html; }
  }
}
EOF
nginx -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" -e "$WORK/nginx/logs/error.log" -g 'daemon off; master_process on;' &
NGINX_PID=$!
track "$NGINX_PID"
wait_port "$NGINX_PORT" "$NGINX_PID"

# The 10,000-delivery capture: one real signed delivery, then N copies with their own ids.
cap=$WORK/big.jsonl
start_hooktool_listen "$WORK/seed.out" -q --capture "$cap" --secret "github=$SECRET" --count 1
"$HOOKTOOL" send github push --to "127.0.0.1:$HT_PORT" --secret "$SECRET" >/dev/null
reap "$HT_PID" || die "the seed listener failed"
python3 - "$cap" "$N" <<'EOF'
import json, sys
path, n = sys.argv[1], int(sys.argv[2])
with open(path) as f:
    record = json.loads(f.readline())
with open(path, "w") as out:
    for i in range(n):
        record["id"] = "cap_load%016d" % i
        out.write(json.dumps(record, separators=(",", ":")) + "\n")
EOF
log "capture: $N deliveries, $(du -m "$cap" | cut -f1) MiB"

start_ui big "$HOOKTOOL" --capture "$cap" --secret "github=$SECRET"
url_big=$UI_URL
if [[ -n ${BASE:-} ]]; then
  start_ui bigbase "$BASE" --capture "$cap" --secret "github=$SECRET"
  url_bigbase=$UI_URL
fi

chromium_version=$("$CHROMIUM" --version 2>/dev/null | awk '{print $2}')
log "$ROUNDS rounds, Chromium $chromium_version, load average $(cut -d' ' -f1-3 /proc/loadavg)"
targets=("blank=http://127.0.0.1:$NGINX_PORT/blank.html" "nginx=http://127.0.0.1:$NGINX_PORT/=ready"
  "listen=$url_listen=ready")
if [[ -n ${BASE:-} ]]; then targets+=("base=$url_base=ready"); fi
targets+=("10k=$url_big=ready")
if [[ -n ${BASE:-} ]]; then targets+=("10kbase=$url_bigbase=ready"); fi
node "$driver" loads "$ROUNDS" "${targets[@]}" >"$WORK/loads.jsonl"
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
if [[ -n ${LOADS_OUT:-} ]]; then cp "$WORK/loads.jsonl" "$LOADS_OUT"; fi

# col TARGET MODE FIELD: the median of FIELD over the rounds ("—" when never measured)
col() {
  local v
  v=$(python3 -c '
import json, sys
t, m, f = sys.argv[2:5]
for line in open(sys.argv[1]):
    r = json.loads(line)
    if r["target"] == t and r["mode"] == m and r[f] is not None: print(r[f])' "$WORK/loads.jsonl" "$1" "$2" "$3")
  # shellcheck disable=SC2086
  if [[ -n $v ]]; then fmt1 "$(median $v)"; else echo "—"; fi
}

echo "## Inspector page load (bench/ui.sh)"
echo
echo "$(date -u '+%Y-%m-%d %H:%M UTC'), ROUNDS=$ROUNDS, $(nproc) cores, load average $load_after after the loads;"
echo "Chromium $chromium_version headless, playwright-core $(node -p "require('$ROOT/tests/browser/node_modules/playwright-core/package.json').version"), nginx-light $(nginx -v 2>&1 | cut -d/ -f2)."
echo "Medians in ms from navigation start (the page's own \`performance\` timings); wall: goto → ready as driven."
echo
echo "| page | tab | DOMContentLoaded | load event | first rows drawn | first paint | wall |"
echo "| --- | --- | ---: | ---: | ---: | ---: | ---: |"
for mode in tab same; do
  for t in blank nginx listen base 10k 10kbase; do
    if [[ $t == *base && -z ${BASE:-} ]]; then continue; fi
    case $t in
      blank) label="blank page (nginx): the floor" ;;
      nginx) label="the inspector's page from nginx" ;;
      listen) label="listen --ui, empty capture" ;;
      base) label="listen --ui, empty capture, BASE" ;;
      10k) label="listen --ui, $N deliveries" ;;
      10kbase) label="listen --ui, $N deliveries, BASE" ;;
    esac
    echo "| $label | $([[ $mode == tab ]] && echo new || echo kept) | $(col $t $mode dcl) | $(col $t $mode load) | $(col $t $mode ready) | $(col $t $mode fcp) | $(col $t $mode wall) |"
  done
done
b=$(col blank tab load)
i=$(col listen tab load)
echo
echo "Load event in a new tab: listen's page $i ms, the blank page $b ms (ratio $(ratio "$i" "$b"), $(awk -v a="$i" -v b="$b" 'BEGIN{printf "%+.1f", a-b}') ms above the floor)."
if [[ -n ${BASE:-} ]]; then
  o=$(col base tab load)
  echo "BASE ($BASE): $o ms (ratio listen/BASE $(ratio "$i" "$o"))."
fi
result ui_load_ms "$i"
result ui_blank_ms "$b"

echo
echo "### One traced load (listen --ui, empty capture, a new tab; tracing slows it)"
echo
echo '```'
node "$driver" trace "${TRACE_OUT:-$WORK/trace.json}" "listen=$url_listen=ready"
echo '```'
exit 0
