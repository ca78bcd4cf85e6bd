// The inspector's actions in a real browser: replay to a typed URL, edit and replay (re-signed
// or with the original signature, judged by listen itself), compare two deliveries, change the
// simulated answer, the XML view, the handshake and the invalid-signature explanation, and the
// guards of the new endpoints. Usage: node --test actions.test.mjs (HOOKTOOL_BIN set).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { ARTIFACTS, captureLines, raw, launchBrowser, send, startListen, stop, stopAll, tempDir, waitForLines, waitRows } from './harness.mjs';

let dir, capture, handlerCapture, otherCapture, handler, other, listener, browser, page, uiPort, token;

before(async () => {
  dir = tempDir();
  capture = path.join(dir, 'deliveries.jsonl');
  handlerCapture = path.join(dir, 'handler.jsonl');
  otherCapture = path.join(dir, 'other.jsonl');
  // GitHub deliveries are forwarded to `handler`; `other` is a URL typed into the page; every
  // other delivery gets listen's simulated answer.
  handler = await startListen(['-q', '--capture', handlerCapture]);
  other = await startListen(['-q', '--capture', otherCapture]);
  listener = await startListen(['-q', '--ui', '--ui-port', '0', '--capture', capture,
    '--secret', 'github=s3cret', '--secret', 'slack=slack-signing-secret',
    '--forward-to', 'github=localhost:' + handler.port]);
  uiPort = Number(new URL(listener.ui).port);
  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 1600, height: 900 } });
  page.on('pageerror', (e) => { throw e; });
  await page.goto(listener.ui);
  await page.waitForSelector('body[data-ready]');
  token = await page.getAttribute('meta[name="hooktool-token"]', 'content');
});

after(async () => {
  if (browser) await browser.close();
  for (const l of [listener, handler, other]) if (l) await stop(l);
  stopAll();
});

async function selectRow(id) {
  await page.click(`#rows tr[data-id="${id}"] td:nth-child(3)`);
  await page.waitForSelector(`#detail[data-id="${id}"] #headers tr`);
}

async function waitText(selector, re, ms = 10000) {
  const deadline = Date.now() + ms;
  let text = '';
  while (Date.now() < deadline) {
    text = (await page.locator(selector).count()) ? await page.textContent(selector) : '';
    if (re.test(text)) return text;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`${selector}: expected ${re}, shows ${JSON.stringify(text)}`);
}

test('replay to a URL typed in the page reaches that handler; another machine is confirmed first', async () => {
  send(['github', 'push', '--to', ':' + listener.port, '--secret', 's3cret']);
  await waitRows(page, 1);
  await waitForLines(capture, 1);
  const record = captureLines(capture)[0];
  await selectRow(record.id);
  assert.equal(await page.inputValue('#replay-url'), 'http://localhost:' + handler.port + '/', 'defaults to the forward target');
  await page.fill('#replay-url', '127.0.0.1:' + other.port + '/typed');
  await page.click('#replay');
  await waitText('#replay-out', /answered 200/);
  await waitForLines(otherCapture, 1);
  const got = captureLines(otherCapture)[0];
  assert.equal(got.path, '/typed');
  assert.equal(got.body, record.body);
  // A target that is not loopback: the page asks, and nothing is sent when declined.
  let asked = '';
  page.once('dialog', (d) => { asked = d.message(); d.dismiss(); });
  await page.fill('#replay-url', 'http://192.0.2.1:9/');
  await page.click('#replay');
  await waitText('#replay-out', /not sent/);
  assert.match(asked, /192\.0\.2\.1.*not on this machine/);
  assert.equal(captureLines(otherCapture).length, 1);
});

test('edit and replay: re-signed it verifies at listen, with the original signature it is invalid, and the page says why', async () => {
  const original = captureLines(capture)[0];
  await selectRow(original.id);
  assert.equal(await page.isVisible('#editor'), false, 'the editor opens on request');
  await page.click('#edit');
  assert.equal(await page.isVisible('#editor'), true);
  await page.fill('#replay-url', 'http://127.0.0.1:' + listener.port + '/');
  const edited = original.body.replace('{', '{"edited":"by the page",');
  await page.fill('#edit-body', edited);
  await page.fill('#edit-path', '/edited?x=1');
  assert.equal(await page.isChecked('input[name="sign"][value="resign"]'), true);
  await page.click('#edit-send');
  await waitText('#replay-out', /re-signed, .*answered 200/);
  await waitForLines(capture, 2);
  const resigned = captureLines(capture)[1];
  assert.equal(resigned.body, edited);
  assert.equal(resigned.path, '/edited');
  assert.equal(resigned.verification.status, 'valid', JSON.stringify(resigned.verification));

  await page.check('input[name="sign"][value="keep"]');
  await page.click('#edit-send');
  await waitForLines(capture, 3);
  const kept = captureLines(capture)[2];
  assert.equal(kept.body, edited);
  assert.equal(kept.verification.status, 'invalid');
  assert.notEqual(kept.verification.reason, '');
  // The explanation of the invalid signature is shown in the detail, as text.
  await waitRows(page, 3);
  await selectRow(kept.id);
  assert.equal(await page.textContent('#verdict'), 'invalid');
  assert.equal(await page.textContent('#verdict-reason'), kept.verification.reason);
  await page.screenshot({ path: path.join(ARTIFACTS, 'inspector-invalid.png') });
  // A header value with CR/LF is refused by listen, with the reason.
  const r = await raw(uiPort, { method: 'POST', path: '/api/deliveries/' + kept.id + '/replay',
    headers: { Host: '127.0.0.1:' + uiPort, 'X-Hooktool-Token': token, 'Content-Type': 'application/json' } },
  JSON.stringify({ url: '127.0.0.1:' + other.port + '/', edit: { headers: [['X-A', 'ok\r\nX-Injected: 1']] } }));
  assert.equal(r.status, 400);
  assert.match(JSON.parse(r.text).error, /CR, LF or NUL/);
  assert.equal(captureLines(otherCapture).length, 1);
});

test('compare shows the changed start line, headers and JSON field of two picked rows', async () => {
  const [original, resigned] = captureLines(capture);
  await page.check(`#rows tr[data-id="${original.id}"] input.pick`);
  await page.check(`#rows tr[data-id="${resigned.id}"] input.pick`);
  await page.click('#compare');
  await page.waitForSelector('#compare-fields');
  const fields = await page.$$eval('#compare-fields tr', (rows) => rows.slice(1).map((r) => [...r.cells].map((c) => c.textContent)));
  assert.deepEqual(fields, [['$.edited', '(absent)', '"by the page"']]);
  const headers = await page.$$eval('#compare-headers tr', (rows) => rows.slice(1).map((r) => [r.cells[0].textContent, r.cells[1].textContent]));
  assert.ok(headers.some(([n, c]) => n === 'X-Hub-Signature-256' && c === 'changed'), JSON.stringify(headers));
  assert.match(await page.textContent('#compare-start'), /POST \/edited\?x=1/);
  await page.screenshot({ path: path.join(ARTIFACTS, 'inspector-compare.png') });
});

test('changing the simulated status from the page makes the next delivery get it', async () => {
  await page.waitForSelector('#sim:not([hidden])');
  assert.equal(await page.inputValue('#sim input[name="status"]'), '200');
  const before = await raw(listener.port, { method: 'POST', path: '/sim', headers: { 'Content-Type': 'text/plain' } }, 'one');
  assert.equal(before.status, 200);
  await page.fill('#sim input[name="status"]', '503');
  await page.click('#sim-apply');
  await waitText('#sim-now', /answering 503/);
  const after = await raw(listener.port, { method: 'POST', path: '/sim', headers: { 'Content-Type': 'text/plain' } }, 'two');
  assert.equal(after.status, 503);
  // Refused values change nothing and say why.
  await page.fill('#sim input[name="status"]', '42');
  await page.click('#sim-apply');
  await waitText('#sim-now', /not changed: .*not an HTTP status/);
  assert.equal((await raw(listener.port, { method: 'POST', path: '/sim' }, 'three')).status, 503);
  await page.fill('#sim input[name="status"]', '200');
  await page.click('#sim-apply');
  await waitText('#sim-now', /answering 200/);
});

test('an XML body is shown as a tree of text; markup inside it, and in a comparison, stays inert', async () => {
  const xml = '<?xml version="1.0"?><Response><Say voice="a&amp;b">&lt;script&gt;hi &unknown;</Say>' +
    '<script>window.__pwned=1</script><img src="x" onerror="window.__pwned=2"/></Response>';
  const n = captureLines(capture).length;
  assert.equal((await raw(listener.port, { method: 'POST', path: '/twiml', headers: { 'Content-Type': 'application/xml' } }, xml)).status, 200);
  await waitForLines(capture, n + 1);
  const record = captureLines(capture).at(-1);
  await waitRows(page, n + 1);
  await selectRow(record.id);
  await page.waitForSelector('#xml-tree');
  const tree = await page.textContent('#xml-tree');
  assert.match(tree, /<Response/);
  assert.match(tree, /voice="a&b"/);
  assert.match(tree, /<script>hi &unknown;/, 'known entities decoded, others literal');
  assert.match(tree, /window\.__pwned=1/);
  assert.equal(await page.locator('#detail script, #detail img').count(), 0);
  assert.equal(await page.evaluate(() => window.__pwned), undefined);
  // Compared with a JSON delivery: a text diff, still text.
  await page.uncheck('#rows input.pick:checked >> nth=0');
  await page.uncheck('#rows input.pick:checked >> nth=0');
  await page.check(`#rows tr[data-id="${record.id}"] input.pick`);
  await page.check(`#rows tr[data-id="${captureLines(capture)[0].id}"] input.pick`);
  await page.click('#compare');
  await page.waitForSelector('#compare-lines');
  assert.match(await page.textContent('#compare-lines'), /<script>window\.__pwned=1<\/script>/);
  assert.equal(await page.locator('#detail script, #detail img').count(), 0);
  assert.equal(await page.evaluate(() => window.__pwned), undefined);
});

test('a handshake shows what listen answered for it', async () => {
  const n = captureLines(capture).length;
  send(['slack', 'url_verification', '--to', ':' + listener.port, '--secret', 'slack-signing-secret']);
  await waitForLines(capture, n + 1);
  const record = captureLines(capture).at(-1);
  assert.ok(record.handshake, JSON.stringify(record));
  await waitRows(page, n + 1);
  await selectRow(record.id);
  await page.waitForSelector('#handshake');
  const text = await page.textContent('#handshake');
  assert.match(text, /yes, by listen/);
  assert.ok(text.includes(record.handshake.body), text);
});

test('the new endpoints refuse a cross-origin POST and a POST without the token', async () => {
  const id = captureLines(capture)[0].id;
  const host = { Host: '127.0.0.1:' + uiPort };
  const evil = { ...host, 'X-Hooktool-Token': token, Origin: 'http://evil.example' };
  const before = captureLines(otherCapture).length;
  for (const [p, body] of [['/api/simulation', '{"status":500}'],
    ['/api/deliveries/' + id + '/replay', JSON.stringify({ url: '127.0.0.1:' + other.port + '/', sign: 'resign', edit: { body: 'x' } })]]) {
    assert.equal((await raw(uiPort, { method: 'POST', path: p, headers: evil }, body)).status, 403, p);
    assert.equal((await raw(uiPort, { method: 'POST', path: p, headers: host }, body)).status, 403, p);
  }
  // From a page on another origin, the browser's own rules and listen's both stop it.
  const foreign = await browser.newPage();
  await foreign.goto('http://127.0.0.1:' + handler.port + '/');
  const result = await foreign.evaluate(async (url) => {
    try {
      const r = await fetch(url, { method: 'POST', body: '{"status":500}', headers: { 'Content-Type': 'text/plain' } });
      return r.status;
    } catch (e) { return 'blocked'; }
  }, listener.ui + 'api/simulation');
  assert.ok(result === 'blocked' || result === 403, String(result));
  await foreign.close();
  const sim = JSON.parse((await raw(uiPort, { path: '/api/simulation', headers: host })).text);
  assert.equal(sim.status, 200, 'the simulated answer is unchanged');
  assert.equal(captureLines(otherCapture).length, before, 'nothing was replayed');
});
