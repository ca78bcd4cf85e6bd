// hooktool inspector: plain JavaScript, no framework. Every value from a delivery is put in the
// page as text (textContent and text nodes, never parsed as markup): deliveries are hostile.
'use strict';

const FIELDS = ['provider', 'event', 'verdict', 'status', 'path', 'q'];
const PAGE = 100;
const token = document.querySelector('meta[name="hooktool-token"]').content;
const state = { paused: false, queued: [], source: null, lastSeq: 0, olderSeq: 0,
  historyBefore: null, selected: null, generation: 0, rows: new Map(), picked: [] };
// The first page of deliveries in memory, as GET /api/deliveries would answer the page's URL,
// comes in the HTML itself (a JSON data block, never executed): no round trip before the first
// rows. Taken once; later reloads ask the API (and the capture file's rows always are asked for).
let firstPage = (() => {
  const block = document.getElementById('first-page');
  const data = block ? JSON.parse(block.textContent) : null;
  if (block) block.remove();
  return data;
})();
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
  const pick = el('input', { type: 'checkbox', class: 'pick', 'aria-label': 'pick to compare',
    onclick: (e) => e.stopPropagation(), onchange: () => onPick(d, pick.checked) });
  pick.checked = state.picked.some((p) => p.id === d.id);
  const tr = el('tr', { 'data-id': d.id, onclick: () => select(d.id, d.offset) },
    el('td', { class: 'pick-cell' }, pick),
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
  const embedded = generation === 1 && firstPage ? firstPage.list : null;
  firstPage = null;
  const page = embedded || (await getJson('/api/deliveries?' + params)).body;
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
  document.body.dataset.ready = String(performance.now());
  // The event stream and the simulated answer's form wait until the first rows are drawn.
  connect();
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

// ---- XML: a small tokenizer (no parser dependency) into a tree of text nodes ----

const ENTITIES = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

// The five named entities and numeric ones are decoded; any other is shown as written.
function decodeEntities(text) {
  return text.replace(/&(#x[0-9a-fA-F]{1,6}|#[0-9]{1,7}|[a-z]{2,4});/g, (m, e) => {
    if (e[0] !== '#') return ENTITIES[e] !== undefined ? ENTITIES[e] : m;
    const code = e[1] === 'x' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
    return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : m;
  });
}

// Parses XML into { name, attrs: [[k, v]], children } nodes (text nodes are strings); null
// when the text is not well-formed enough to show as a tree.
function parseXml(text) {
  const root = { name: '', attrs: [], children: [] };
  const stack = [root];
  // The comment opener is written [<]!-- here: the script is inline in the page (index.html).
  const re = /[<]!--([\s\S]*?)-->|<!\[CDATA\[([\s\S]*?)\]\]>|<\?[\s\S]*?\?>|<!DOCTYPE[^>]*>|<\/([^\s>]+)\s*>|<([^\s/>!?]+)((?:\s+[^\s=/>]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>|([^<]+)|(<)/g;
  for (const m of text.matchAll(re)) {
    const top = stack[stack.length - 1];
    if (m[1] !== undefined) top.children.push({ comment: m[1] });
    else if (m[2] !== undefined) top.children.push(m[2]);
    else if (m[3] !== undefined) {
      if (stack.length < 2 || top.name !== m[3]) return null;
      stack.pop();
    } else if (m[4] !== undefined) {
      const attrs = [];
      for (const a of m[5].matchAll(/([^\s=]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) attrs.push([a[1], decodeEntities(a[2] !== undefined ? a[2] : a[3])]);
      const node = { name: m[4], attrs, children: [] };
      top.children.push(node);
      if (!m[6]) stack.push(node);
    } else if (m[7] !== undefined) {
      if (m[7].trim() !== '') top.children.push(decodeEntities(m[7].trim()));
    } else if (m[8] !== undefined) return null;
  }
  if (stack.length !== 1 || !root.children.some((c) => c.name)) return null;
  return root;
}

function xmlTree(node) {
  if (typeof node === 'string') return el('div', { class: 'leaf s' }, visible(node, true));
  if (node.comment !== undefined) return el('div', { class: 'leaf note' }, visible('\x3c!--' + node.comment + '-->', true));
  const open = el('summary', {}, el('span', { class: 'k', text: '<' + node.name }));
  for (const [k, v] of node.attrs) open.append(' ', el('span', { class: 'n', text: k }), '=', el('span', { class: 's' }, visible(JSON.stringify(v))));
  open.append(el('span', { class: 'k', text: node.children.length ? '>' : ' />' }));
  const details = el('details', { open: '' }, open);
  for (const c of node.children) details.append(xmlTree(c));
  return details;
}

function looksLikeXml(capture) {
  return /xml/i.test(header(capture, 'content-type')) || /^\s*</.test(capture.body || '');
}

function xmlBody(capture) {
  const tree = capture.body !== undefined ? parseXml(capture.body) : null;
  if (!tree) return el('p', { class: 'note', text: 'not well-formed XML: see raw' });
  return el('div', { class: 'tree', id: 'xml-tree' }, ...tree.children.map(xmlTree));
}

function bodySection(capture) {
  const views = {
    pretty: () => prettyBody(capture),
    raw: () => el('pre', { id: 'raw-body' }, capture.body !== undefined ? visible(capture.body, true) : 'base64: ' + capture.body_base64),
    hex: () => el('pre', { id: 'hex-body', text: hexDump(bodyBytes(capture)) }),
  };
  if (looksLikeXml(capture)) views.xml = () => xmlBody(capture);
  const holder = el('div', { id: 'body-view' });
  const tabs = el('div', { class: 'tabs' });
  const show = (name) => {
    holder.replaceChildren(views[name]());
    for (const b of tabs.children) b.setAttribute('aria-selected', String(b.dataset.view === name));
  };
  for (const name of Object.keys(views)) tabs.append(el('button', { type: 'button', 'data-view': name, onclick: () => show(name), text: name }));
  show(views.xml && capture.body !== undefined && parseXml(capture.body) ? 'xml' : 'pretty');
  return [tabs, holder];
}

function copyBox(text) {
  const out = $('copy-out');
  out.hidden = false;
  out.textContent = text;
  if (navigator.clipboard) navigator.clipboard.writeText(text).catch(() => {});
}

function replayUrl(d) {
  return '/api/deliveries/' + encodeURIComponent(d.id) + '/replay' + (d.offset !== null ? '?at=' + d.offset : '');
}

async function postJson(url, payload) {
  return getJson(url, { method: 'POST', headers: { 'X-Hooktool-Token': token, 'Content-Type': 'application/json' },
    body: JSON.stringify(payload) });
}

// Sends the delivery (with the editor's changes when edit is set) to the URL field's target
// (the forward target when empty); a target not on this machine is confirmed first.
async function replay(d, edit) {
  const out = $('replay-out');
  const ask = { url: $('replay-url').value.trim(), confirm: false };
  if (edit) Object.assign(ask, edit);
  out.textContent = 'sending…';
  try {
    let r = await postJson(replayUrl(d), ask);
    if (r.body.confirm) {
      if (!confirm('Send this delivery to ' + r.body.confirm + ', which is not on this machine?')) {
        out.textContent = 'not sent';
        return;
      }
      r = await postJson(replayUrl(d), { ...ask, confirm: true });
    }
    const res = r.body;
    out.textContent = (res.resigned ? 're-signed, ' : '') + (res.status !== null
      ? res.url + ' answered ' + res.status + ' in ' + res.duration_ms + ' ms' : res.url + ': ' + res.error);
  } catch (e) {
    out.textContent = 'replay failed: ' + e.message;
  }
}

// "Name: value" lines, as the editor shows the headers.
function headerLines(headers) {
  return headers.map(([n, v]) => n + ': ' + v).join('\n');
}

function parseHeaderLines(text) {
  const out = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const colon = line.indexOf(':');
    if (colon <= 0) throw new Error('header line without "name:": ' + line);
    out.push([line.slice(0, colon).trim(), line.slice(colon + 1).replace(/^ /, '')]);
  }
  return out;
}

function editor(d) {
  const c = d.capture;
  const utf8 = c.body !== undefined;
  const form = el('form', { id: 'editor', class: 'editor', hidden: '' },
    el('label', {}, 'method ', el('input', { id: 'edit-method', size: 7, value: c.method })),
    el('label', {}, 'path ', el('input', { id: 'edit-path', size: 40, value: c.path + (c.query ? '?' + c.query : '') })),
    el('label', { class: 'block' }, 'headers (one "Name: value" a line)',
      el('textarea', { id: 'edit-headers', rows: Math.min(12, c.headers.length + 1), spellcheck: 'false' })),
    el('label', { class: 'block' }, utf8 ? 'body' : 'body (not UTF-8: sent as captured)',
      el('textarea', { id: 'edit-body', rows: 8, spellcheck: 'false' })),
    el('div', { class: 'sign' },
      el('label', {}, el('input', { type: 'radio', name: 'sign', value: 'resign', checked: '' }), ' re-sign with the current secret'),
      el('label', {}, el('input', { type: 'radio', name: 'sign', value: 'keep' }), ' keep the original signature')),
    el('button', { type: 'submit', id: 'edit-send', text: 'send edited' }));
  form.querySelector('#edit-headers').value = headerLines(c.headers);
  const body = form.querySelector('#edit-body');
  body.value = utf8 ? c.body : '';
  body.disabled = !utf8;
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    let headers;
    try { headers = parseHeaderLines($('edit-headers').value); } catch (err) {
      $('replay-out').textContent = err.message;
      return;
    }
    const edit = { method: $('edit-method').value.trim(), path: $('edit-path').value.trim(), headers };
    if (utf8) edit.body = $('edit-body').value;
    replay(d, { edit, sign: form.elements.sign.value });
  });
  return form;
}

function handshakeView(h) {
  const t = el('table', { class: 'headers', id: 'handshake' },
    kv('answered', h.answered ? 'yes, by listen' : 'no'));
  if (h.status) t.append(kv('status', h.status));
  if (h.content_type) t.append(kv('content type', h.content_type));
  if (h.body) t.append(kv('body', el('pre', {}, visible(h.body, true))));
  if (h.note) t.append(kv('note', h.note));
  return t;
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
    kv('verdict', el('span', { id: 'verdict', class: 'v-' + d.verdict, text: d.verdict })));
  // Why: for an invalid signature, which usual mistake it matches (verification.reason).
  if (d.reason) facts.append(kv(d.verdict === 'invalid' ? 'why' : 'reason', el('span', { id: 'verdict-reason', class: 'reason' }, visible(d.reason))));
  facts.append(
    kv('provider', d.provider || '—'), kv('event', d.event_type || '—'), kv('event id', d.event_id || '—'),
    kv('received', new Date(d.received_at_ms).toISOString() + ' from ' + c.remote),
    kv('answered', (d.status === null ? 'no answer' : d.status) + ' in ' + d.duration_ms + ' ms'));
  if (c.handshake) facts.append(kv('handshake', handshakeView(c.handshake)));
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
      el('button', { type: 'button', id: 'edit', onclick: () => { $('editor').hidden = !$('editor').hidden; }, text: 'edit and replay' })),
    el('div', { class: 'actions' },
      el('input', { id: 'replay-url', size: 34, 'aria-label': 'replay to URL',
        placeholder: d.forward_target ? '' : 'URL (e.g. localhost:3000)', value: d.forward_target || '' }),
      el('button', { type: 'button', id: 'replay', onclick: () => replay(d, null), text: 'replay' }),
      el('span', { id: 'replay-out', class: 'mono' })),
    editor(d),
    el('pre', { id: 'copy-out', hidden: '' }),
    el('h3', { text: 'headers (' + c.headers.length + ', in arrival order)' }), headers,
    el('h3', { text: 'body (' + bodyBytes(c).length + ' bytes)' }), ...bodySection(c));
  pane.dataset.id = d.id;
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

// ---- compare two deliveries (the diff is computed by listen: GET /api/compare) ----

function onPick(d, on) {
  state.picked = state.picked.filter((p) => p.id !== d.id);
  if (on) state.picked.push({ id: d.id, offset: d.offset });
  // Two at a time: a third pick lets the oldest pick go.
  while (state.picked.length > 2) {
    const gone = state.picked.shift();
    const tr = state.rows.get(gone.id);
    if (tr) tr.querySelector('input.pick').checked = false;
  }
  $('compare').disabled = state.picked.length !== 2;
  $('compare').textContent = state.picked.length === 2 ? 'compare 2' : 'compare (pick 2)';
}

function value(v) {
  return v === undefined ? el('span', { class: 'note', text: '(absent)' }) : visible(JSON.stringify(v));
}

function renderCompare(j) {
  const pane = $('detail');
  const start = el('table', { class: 'headers', id: 'compare-start' },
    kv('a', el('span', { class: j.start_line.same ? '' : 'changed' }, visible(j.start_line.a))),
    kv('b', el('span', { class: j.start_line.same ? '' : 'changed' }, visible(j.start_line.b))));
  const headers = el('table', { class: 'headers diff', id: 'compare-headers' });
  for (const h of j.headers) {
    headers.append(el('tr', { class: h.change },
      el('td', {}, visible(h.name)), el('td', { text: h.change }),
      el('td', {}, h.a !== undefined ? visible(h.a) : ''), el('td', {}, h.b !== undefined ? visible(h.b) : '')));
  }
  let body;
  if (j.body.kind === 'json') {
    body = el('table', { class: 'headers diff', id: 'compare-fields' },
      el('tr', {}, el('th', { text: 'field' }), el('th', { text: 'a' }), el('th', { text: 'b' })));
    for (const f of j.body.fields) body.append(el('tr', { class: f.change }, el('td', {}, visible(f.path)), el('td', {}, value(f.a)), el('td', {}, value(f.b))));
  } else if (j.body.kind === 'text') {
    body = el('pre', { id: 'compare-lines' });
    for (const l of j.body.lines) body.append(el('div', { class: 'line op' + { ' ': 'same', '-': 'del', '+': 'add' }[l.op] }, l.op + ' ', visible(l.text)));
  } else {
    body = el('p', { class: 'note', text: 'bodies are not UTF-8: ' + (j.body.same ? 'identical' : 'they differ') + ' (' + j.body.a_size + ' and ' + j.body.b_size + ' bytes)' });
  }
  headers.prepend(el('tr', {}, el('th', { text: 'header' }), el('th', { text: 'change' }), el('th', { text: 'a' }), el('th', { text: 'b' })));
  pane.dataset.id = '';
  pane.replaceChildren(
    el('h2', { id: 'compare-title' }, 'compare ', visible(j.a.id), ' ↔ ', visible(j.b.id)),
    el('p', { class: 'note' }, 'a: ' + time(j.a.received_at_ms) + ' ' + (j.a.event_type || '') + ', b: ' + time(j.b.received_at_ms) + ' ' + (j.b.event_type || '')),
    el('h3', { text: 'start line' + (j.start_line.same ? ' (same)' : ' (differs)') }), start,
    el('h3', { text: 'headers (' + (j.headers.length ? j.headers.length + ' differ' : 'same') + ')' }), headers,
    el('h3', { text: 'body' + (j.body.same ? ' (same)' : '') + (j.body.truncated ? ' (first differences only)' : '') }), body);
  pane.hidden = false;
}

async function compare() {
  if (state.picked.length !== 2) return;
  const [a, b] = state.picked;
  const params = new URLSearchParams({ a: a.id, b: b.id });
  if (a.offset !== null && a.offset !== undefined) params.set('a_at', a.offset);
  if (b.offset !== null && b.offset !== undefined) params.set('b_at', b.offset);
  try {
    renderCompare((await getJson('/api/compare?' + params)).body);
  } catch (e) {
    $('detail').replaceChildren(el('p', { class: 'note', text: String(e.message) }));
    $('detail').hidden = false;
  }
}

// ---- the simulated answer (--status, --delay, --fail-rate, --fail-status), changed live ----

function showSimulation(a) {
  const form = $('sim');
  for (const k of ['status', 'delay_ms', 'fail_rate', 'fail_status']) form.elements[k].value = a[k];
  $('sim-now').textContent = 'answering ' + a.status + (a.fail_rate > 0 ? ', ' + a.fail_status + ' at ' + a.fail_rate : '') + (a.delay_ms ? ' after ' + a.delay_ms + ' ms' : '');
}

async function loadSimulation() {
  try {
    showSimulation((await getJson('/api/simulation')).body);
    $('sim').hidden = false;
  } catch (e) { /* not changeable here */ }
}

async function applySimulation(e) {
  e.preventDefault();
  const form = $('sim');
  const num = (k) => Number(form.elements[k].value);
  try {
    showSimulation((await postJson('/api/simulation', { status: num('status'), delay_ms: num('delay_ms'),
      fail_rate: num('fail_rate'), fail_status: num('fail_status') })).body);
  } catch (err) {
    $('sim-now').textContent = 'not changed: ' + err.message;
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
  $('compare').addEventListener('click', compare);
  $('sim').addEventListener('submit', applySimulation);
  reload().finally(loadSimulation);
  const m = /^#id=(.+)$/.exec(location.hash);
  if (m) select(decodeURIComponent(m[1]), null);
}

init();
