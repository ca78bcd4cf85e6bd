// hooktool inspector: plain JavaScript, no framework. Every value from a delivery is put in the
// page as text (textContent and text nodes, never parsed as markup): deliveries are hostile.
'use strict';

const FIELDS = ['provider', 'event', 'verdict', 'status', 'path', 'q'];
const PAGE = 100;
const token = document.querySelector('meta[name="hooktool-token"]').content;
const state = { paused: false, queued: [], source: null, lastSeq: 0, olderSeq: 0,
  historyBefore: null, selected: null, generation: 0, rows: new Map() };
const $ = (id) => document.getElementById(id);

function el(tag, props, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(props || {})) {
    if (k === 'class') node.className = v;
    else if (k === 'text') node.textContent = v;
    else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v);
  }
  for (const c of children) node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return node;
}

// Control bytes (terminal escapes, NUL, DEL) shown as \xHH, marked, so nothing is hidden.
function visible(text, keepNewlines) {
  const frag = document.createDocumentFragment();
  const re = keepNewlines ? /[\x00-\x08\x0b-\x1f\x7f]/g : /[\x00-\x1f\x7f]/g;
  let last = 0;
  for (const m of text.matchAll(re)) {
    if (m.index > last) frag.append(text.slice(last, m.index));
    const code = m[0].charCodeAt(0).toString(16).padStart(2, '0');
    frag.append(el('span', { class: 'ctl', text: '\\x' + code }));
    last = m.index + 1;
  }
  if (last < text.length) frag.append(text.slice(last));
  return frag;
}

function filterFromUrl() {
  const params = new URLSearchParams(location.search);
  const form = $('filter');
  for (const f of FIELDS) form.elements[f].value = params.get(f) || '';
}

function filterQuery() {
  const form = $('filter');
  const params = new URLSearchParams();
  for (const f of FIELDS) if (form.elements[f].value) params.set(f, form.elements[f].value);
  return params;
}

function time(ms) {
  const d = new Date(ms);
  return d.toLocaleTimeString([], { hour12: false }) + '.' + String(d.getMilliseconds()).padStart(3, '0');
}

function statusCell(status) {
  if (status === null || status === undefined) return el('td', { text: '—' });
  return el('td', { class: 's' + String(status)[0], text: status });
}

function rowFor(d) {
  const tr = el('tr', { 'data-id': d.id, onclick: () => select(d.id, d.offset) },
    el('td', { class: 'mono', text: time(d.received_at_ms) }),
    el('td', { text: d.method }),
    el('td', { class: 'mono', title: d.path }, visible(d.path + (d.query ? '?' + d.query : ''))),
    el('td', { text: d.provider || '—' }),
    el('td', { text: d.event_type || '—' }),
    el('td', { class: 'mono', text: d.event_id || '—' }),
    el('td', { class: 'v-' + d.verdict, title: d.reason || '', text: d.verdict }),
    el('td', { class: 'dup', text: d.duplicate ? '×' + d.duplicate.seen : '' }),
    statusCell(d.status),
    d.forward ? statusCell(d.forward.status === null ? 'error' : d.forward.status) : el('td', { text: '' }));
  if (d.id === state.selected) tr.classList.add('selected');
  return tr;
}

function addRows(list, where) {
  const body = $('rows');
  const frag = document.createDocumentFragment();
  for (const d of list) {
    if (state.rows.has(d.id)) continue;
    const tr = rowFor(d);
    state.rows.set(d.id, tr);
    if (where === 'top') tr.classList.add('fresh');
    frag.append(tr);
  }
  if (where === 'top') body.prepend(frag); else body.append(frag);
  $('empty').hidden = state.rows.size > 0;
}

function setLive(text, cls) {
  const live = $('live');
  live.textContent = text;
  live.className = 'live ' + (cls || '');
}

function onDelivery(event) {
  const d = JSON.parse(event.data);
  state.lastSeq = Math.max(state.lastSeq, d.seq);
  if (state.paused) {
    state.queued.push(d);
    setLive('paused (' + state.queued.length + ' new)', 'paused');
    return;
  }
  addRows([d], 'top');
}

function connect() {
  if (state.source) state.source.close();
  const params = filterQuery();
  params.set('after', state.lastSeq);
  const source = new EventSource('/api/events?' + params);
  source.addEventListener('delivery', onDelivery);
  // Each stream response is held until deliveries arrive, then ended; the browser reconnects.
  // An error is only news when listen no longer answers at all.
  source.addEventListener('error', () => {
    fetch('/api/deliveries?limit=1').then(() => { if (!state.paused) setLive('live'); },
      () => setLive('disconnected: is listen running?', 'down'));
  });
  state.source = source;
  if (!state.paused) setLive('live');
}

async function getJson(url, init) {
  const r = await fetch(url, init);
  const body = await r.json();
  if (!r.ok && !body.confirm) throw new Error(body.error || r.status);
  return { status: r.status, body };
}

function showOlder() {
  $('older').hidden = !(state.olderSeq > 0 || state.historyBefore !== null);
}

async function loadOlder() {
  const params = filterQuery();
  params.set('limit', PAGE);
  let page;
  if (state.olderSeq > 0) {
    params.set('before', state.olderSeq);
    page = (await getJson('/api/deliveries?' + params)).body;
    state.olderSeq = page.more ? page.deliveries[page.deliveries.length - 1].seq : 0;
    state.historyBefore = page.more ? null : page.history_before;
  } else {
    // Each request examines at most 5,000 lines: a narrow filter asks again (up to 100,000).
    const found = [];
    for (let i = 0; i < 20 && found.length < PAGE && state.historyBefore !== null; i++) {
      params.set('before', state.historyBefore);
      params.set('limit', PAGE - found.length);
      const part = (await getJson('/api/history?' + params)).body;
      found.push(...part.deliveries);
      state.historyBefore = part.next_before;
    }
    page = { deliveries: found };
  }
  addRows(page.deliveries, 'bottom');
  showOlder();
}

async function reload() {
  const generation = ++state.generation;
  delete document.body.dataset.ready;
  const params = filterQuery();
  params.set('limit', PAGE);
  const page = (await getJson('/api/deliveries?' + params)).body;
  if (generation !== state.generation) return;
  $('rows').replaceChildren();
  state.rows.clear();
  state.queued = [];
  state.lastSeq = page.last_seq;
  state.olderSeq = page.more ? page.deliveries[page.deliveries.length - 1].seq : 0;
  state.historyBefore = page.more ? null : page.history_before;
  $('download').hidden = !page.capture;
  addRows(page.deliveries, 'bottom');
  // Nothing (or little) from this run yet: show the newest of the capture file at once.
  if (page.deliveries.length < PAGE && state.historyBefore !== null) await loadOlder();
  if (generation !== state.generation) return;
  showOlder();
  connect();
  document.body.dataset.ready = String(performance.now());
}

function onFilterInput() {
  clearTimeout(state.filterTimer);
  state.filterTimer = setTimeout(() => {
    const params = filterQuery();
    const search = params.toString();
    history.replaceState(null, '', location.pathname + (search ? '?' + search : '') + location.hash);
    reload();
  }, 150);
}

// ---- detail ----

function bodyBytes(capture) {
  if (capture.body_base64 !== undefined) {
    const bin = atob(capture.body_base64);
    const bytes = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    return bytes;
  }
  return new TextEncoder().encode(capture.body || '');
}

function hexDump(bytes) {
  const lines = [];
  const max = Math.min(bytes.length, 64 * 1024);
  for (let i = 0; i < max; i += 16) {
    const chunk = bytes.subarray(i, i + 16);
    const hex = Array.from(chunk, (b) => b.toString(16).padStart(2, '0')).join(' ');
    const ascii = Array.from(chunk, (b) => (b >= 32 && b < 127 ? String.fromCharCode(b) : '.')).join('');
    lines.push(i.toString(16).padStart(8, '0') + '  ' + hex.padEnd(48) + ' ' + ascii);
  }
  if (bytes.length > max) lines.push('… ' + (bytes.length - max) + ' more bytes (see raw)');
  return lines.join('\n');
}

function jsonTree(value, key) {
  const label = key === undefined ? [] : [el('span', { class: 'k', text: JSON.stringify(key) }), ': '];
  if (value !== null && typeof value === 'object') {
    const isArray = Array.isArray(value);
    const entries = isArray ? value.map((v, i) => [i, v]) : Object.entries(value);
    const details = el('details', { open: '' },
      el('summary', {}, ...label, isArray ? '[' + entries.length + ']' : '{' + entries.length + '}'));
    for (const [k, v] of entries) details.append(jsonTree(v, isArray ? undefined : k));
    return details;
  }
  const cls = typeof value === 'string' ? 's' : typeof value === 'number' ? 'n' : 'b';
  return el('div', { class: 'leaf' }, ...label, el('span', { class: cls }, visible(JSON.stringify(value))));
}

function header(capture, name) {
  const h = capture.headers.find(([n]) => n.toLowerCase() === name);
  return h ? h[1] : '';
}

function prettyBody(capture) {
  const text = capture.body;
  if (text === undefined) return el('p', { class: 'note', text: 'binary body (' + bodyBytes(capture).length + ' bytes): see hex' });
  if (text === '') return el('p', { class: 'note', text: 'empty body' });
  try {
    return el('div', { class: 'tree' }, jsonTree(JSON.parse(text)));
  } catch (e) { /* not JSON */ }
  if (/application\/x-www-form-urlencoded/i.test(header(capture, 'content-type'))) {
    const table = el('table', { class: 'headers' });
    for (const [k, v] of new URLSearchParams(text)) table.append(el('tr', {}, el('td', {}, visible(k)), el('td', {}, visible(v, true))));
    return table;
  }
  return el('pre', {}, visible(text, true));
}

function bodySection(capture) {
  const views = {
    pretty: () => prettyBody(capture),
    raw: () => el('pre', { id: 'raw-body' }, capture.body !== undefined ? visible(capture.body, true) : 'base64: ' + capture.body_base64),
    hex: () => el('pre', { id: 'hex-body', text: hexDump(bodyBytes(capture)) }),
  };
  const holder = el('div', { id: 'body-view' });
  const tabs = el('div', { class: 'tabs' });
  const show = (name) => {
    holder.replaceChildren(views[name]());
    for (const b of tabs.children) b.setAttribute('aria-selected', String(b.dataset.view === name));
  };
  for (const name of Object.keys(views)) tabs.append(el('button', { type: 'button', 'data-view': name, onclick: () => show(name), text: name }));
  show('pretty');
  return [tabs, holder];
}

function copyBox(text) {
  const out = $('copy-out');
  out.hidden = false;
  out.textContent = text;
  if (navigator.clipboard) navigator.clipboard.writeText(text).catch(() => {});
}

async function replay(d, confirmed) {
  const out = $('replay-out');
  out.textContent = 'replaying…';
  try {
    const r = await getJson('/api/deliveries/' + encodeURIComponent(d.id) + '/replay' + (d.offset !== null ? '?at=' + d.offset : ''), {
      method: 'POST', headers: { 'X-Hooktool-Token': token, 'Content-Type': 'application/json' },
      body: JSON.stringify({ confirm: confirmed }) });
    if (r.body.confirm) {
      if (confirm('Send this delivery to ' + r.body.confirm + ', which is not on this machine?')) return replay(d, true);
      out.textContent = 'not sent';
      return;
    }
    const res = r.body;
    out.textContent = res.status !== null ? res.url + ' answered ' + res.status + ' in ' + res.duration_ms + ' ms'
      : res.url + ': ' + res.error;
  } catch (e) {
    out.textContent = 'replay failed: ' + e.message;
  }
}

function kv(name, value) {
  return el('tr', {}, el('td', { text: name }), el('td', {}, value instanceof Node ? value : visible(String(value))));
}

function renderDetail(d) {
  const c = d.capture;
  const pane = $('detail');
  const headers = el('table', { class: 'headers', id: 'headers' });
  for (const [name, value] of c.headers) headers.append(el('tr', {}, el('td', {}, visible(name)), el('td', {}, visible(value))));
  const facts = el('table', { class: 'headers' },
    kv('verdict', el('span', { class: 'v-' + d.verdict, text: d.verdict + (d.reason ? ': ' + d.reason : '') })),
    kv('provider', d.provider || '—'), kv('event', d.event_type || '—'), kv('event id', d.event_id || '—'),
    kv('received', new Date(d.received_at_ms).toISOString() + ' from ' + c.remote),
    kv('answered', (d.status === null ? 'no answer' : d.status) + ' in ' + d.duration_ms + ' ms'));
  if (d.duplicate) {
    const later = ((d.received_at_ms - d.duplicate.first_seen_ms) / 1000).toFixed(3);
    facts.append(kv('duplicate', el('span', {}, 'seen ' + d.duplicate.seen + ' times; first: ',
      el('a', { href: '#', id: 'first-link', onclick: (e) => { e.preventDefault(); select(d.duplicate.first_id, null); }, text: d.duplicate.first_id }),
      ', ' + later + ' s earlier')));
  }
  if (d.forward) {
    const f = d.forward;
    facts.append(kv('forwarded', f.url + ': ' + (f.status !== null ? f.status + ' in ' + f.duration_ms + ' ms' : f.error)));
    if (f.body) facts.append(kv('handler body', el('pre', {}, visible(f.body, true))));
  }
  pane.replaceChildren(
    el('h2', { id: 'start-line' }, visible(c.method + ' ' + c.path + (c.query ? '?' + c.query : ''))),
    facts,
    el('div', { class: 'actions' },
      el('button', { type: 'button', id: 'copy-curl', onclick: () => copyBox(d.curl + (d.curl_note ? '\n# ' + d.curl_note : '')), text: 'copy as curl' }),
      el('button', { type: 'button', id: 'copy-har', onclick: () => copyBox(d.har), text: 'copy as HAR' }),
      el('button', { type: 'button', id: 'copy-line', onclick: () => copyBox(d.capture_line), text: 'copy capture line' }),
      el('button', { type: 'button', id: 'replay', onclick: () => replay(d, false), text: 'replay to forward target' }),
      el('span', { id: 'replay-out', class: 'mono' })),
    el('pre', { id: 'copy-out', hidden: '' }),
    el('h3', { text: 'headers (' + c.headers.length + ', in arrival order)' }), headers,
    el('h3', { text: 'body (' + bodyBytes(c).length + ' bytes)' }), ...bodySection(c));
  pane.hidden = false;
}

async function select(id, offset) {
  state.selected = id;
  for (const [rid, tr] of state.rows) tr.classList.toggle('selected', rid === id);
  const at = offset !== null && offset !== undefined ? '?at=' + offset : '';
  history.replaceState(null, '', location.pathname + location.search + '#id=' + encodeURIComponent(id));
  const start = performance.now();
  try {
    renderDetail((await getJson('/api/deliveries/' + encodeURIComponent(id) + at)).body);
    $('detail').dataset.shownIn = (performance.now() - start).toFixed(1);
  } catch (e) {
    $('detail').replaceChildren(el('p', { class: 'note', text: String(e.message) }));
    $('detail').hidden = false;
  }
}

function togglePause() {
  state.paused = !state.paused;
  $('pause').textContent = state.paused ? 'resume' : 'pause';
  $('pause').setAttribute('aria-pressed', String(state.paused));
  if (!state.paused) {
    addRows(state.queued.reverse(), 'top');
    state.queued = [];
    setLive('live');
  } else {
    setLive('paused', 'paused');
  }
}

function init() {
  filterFromUrl();
  $('filter').addEventListener('input', onFilterInput);
  $('filter').addEventListener('submit', (e) => e.preventDefault());
  $('clear').addEventListener('click', () => setTimeout(onFilterInput, 0));
  $('pause').addEventListener('click', togglePause);
  $('older').addEventListener('click', loadOlder);
  reload();
  const m = /^#id=(.+)$/.exec(location.hash);
  if (m) select(decodeURIComponent(m[1]), null);
}

init();
