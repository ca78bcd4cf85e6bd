// The web inspector in a real browser: `hooktool listen --ui` on loopback, deliveries sent with
// `hooktool send`, Debian's headless Chromium. Usage: node --test inspector.test.mjs (HOOKTOOL_BIN set).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { ARTIFACTS, captureLines, raw, launchBrowser, send, startListen, stop, stopAll, tempDir, waitForLines, waitRows } from './harness.mjs';

let dir, capture, handlerCapture, handler, listener, browser, page;

before(async () => {
  dir = tempDir();
  capture = path.join(dir, 'deliveries.jsonl');
  handlerCapture = path.join(dir, 'handler.jsonl');
  // The forward target is a second listener: what it captured is what the replay sent.
  handler = await startListen(['-q', '--capture', handlerCapture]);
  listener = await startListen(['-q', '--ui', '--ui-port', '0', '--capture', capture,
    '--secret', 'github=s3cret', '--forward-to', 'localhost:' + handler.port]);
  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 1600, height: 900 } });
  page.on('pageerror', (e) => { throw e; });
});

after(async () => {
  if (browser) await browser.close();
  if (listener) await stop(listener);
  if (handler) await stop(handler);
  stopAll();
});

function rowCount() {
  return page.locator('#rows tr').count();
}

test('the page loads from the embedded assets, with a strict CSP', async () => {
  // Nothing the page asks for fails (a missing /favicon.ico was a 404 on every load).
  const failed = [];
  const onConsole = (m) => { if (m.type() === 'error') failed.push(m.text()); };
  page.on('console', onConsole);
  const response = await page.goto(listener.ui);
  assert.equal(response.status(), 200);
  const policy = response.headers()['content-security-policy'];
  assert.match(policy, /script-src 'sha256-[A-Za-z0-9+/]+=*'; style-src 'sha256-[A-Za-z0-9+/]+=*';/);
  assert.doesNotMatch(policy, /unsafe-inline|unsafe-eval/);
  await page.waitForSelector('body[data-ready]');
  const timing = await page.evaluate(() => {
    const nav = performance.getEntriesByType('navigation')[0];
    return { load: nav.loadEventEnd, ready: Number(document.body.dataset.ready) };
  });
  console.log(`# page load ${timing.load.toFixed(1)} ms, list ready ${timing.ready.toFixed(1)} ms`);
  assert.equal(await rowCount(), 0);
  await page.waitForSelector('#live:text("live")');
  page.off('console', onConsole);
  assert.deepEqual(failed, []);
});

test('a delivery appears live, and its detail shows the headers in arrival order and the exact body', async () => {
  send(['github', 'push', '--to', ':' + listener.port, '--secret', 's3cret']);
  await page.waitForSelector('#rows tr');
  const row = page.locator('#rows tr').first();
  assert.match(await row.textContent(), /github/);
  assert.match(await row.textContent(), /valid/);
  await waitForLines(capture, 1);
  const record = captureLines(capture)[0];
  await row.click();
  await page.waitForSelector('#headers tr');
  const shown = await page.$$eval('#headers tr', (rows) => rows.map((r) => [r.cells[0].textContent, r.cells[1].textContent]));
  assert.deepEqual(shown, record.headers);
  assert.equal(await page.textContent('#start-line'), 'POST /');
  await page.click('button[data-view="raw"]');
  assert.equal(await page.textContent('#raw-body'), record.body);
  await page.click('button[data-view="hex"]');
  assert.match(await page.textContent('#hex-body'), /^00000000  7b/);
  await page.screenshot({ path: path.join(ARTIFACTS, 'inspector-detail.png') });
});

test('copy as curl, HAR and capture line give the delivery', async () => {
  const record = captureLines(capture)[0];
  await page.click('#copy-line');
  assert.deepEqual(JSON.parse(await page.textContent('#copy-out')), record);
  await page.click('#copy-har');
  const har = JSON.parse(await page.textContent('#copy-out'));
  assert.equal(har.request.postData.text, record.body);
  await page.click('#copy-curl');
  // The body is piped from printf (exact bytes, nothing a shell expands), then curl.
  assert.match(await page.textContent('#copy-out'), /^printf '[^\n]*' \|\ncurl -sS /);
});

test('replay from the page reaches the forward target with the same bytes', async () => {
  const before = captureLines(handlerCapture).length;
  await page.click('#replay');
  await page.waitForSelector('#replay-out:text("answered 200")');
  await waitForLines(handlerCapture, before + 1);
  const replayed = captureLines(handlerCapture).at(-1);
  assert.equal(replayed.body, captureLines(capture)[0].body);
});

test('a duplicate links to the first delivery', async () => {
  send(['github', 'ping', '--to', ':' + listener.port, '--secret', 's3cret', '--duplicate', '2']);
  await waitRows(page, 3);
  const first = page.locator('#rows tr').first();
  assert.equal(await first.locator('td.dup').textContent(), '×2');
  await first.click();
  await page.waitForSelector('#first-link');
  const firstId = await page.textContent('#first-link');
  await page.click('#first-link');
  await page.waitForSelector('#rows tr.selected');
  assert.equal(await page.getAttribute('#rows tr.selected', 'data-id'), firstId);
});

test('an HTML and script payload is shown as text, never run', async () => {
  const payload = path.join(dir, 'hostile.json');
  const body = '{"html":"<script>window.__pwned=1</script><img src=x onerror=window.__pwned=2>","esc":"\\u001b[31mred"}';
  fs.writeFileSync(payload, body);
  send(['github', 'push', '--to', ':' + listener.port + '/%3Csvg%20onload=alert(1)%3E', '--secret', 's3cret',
    '--data', '@' + payload, '--header', 'X-Evil: <b onmouseover=window.__pwned=3>bold</b>']);
  await waitRows(page, 4);
  const id = await page.locator('#rows tr').first().getAttribute('data-id');
  await page.locator('#rows tr').first().click();
  await page.waitForSelector(`#detail[data-id="${id}"] #headers tr`); // not the previous detail
  const evil = await page.$$eval('#headers tr', (rows) => rows.map((r) => r.cells[1].textContent).find((v) => v.includes('bold')));
  assert.equal(evil, '<b onmouseover=window.__pwned=3>bold</b>');
  await page.click('button[data-view="raw"]');
  assert.equal(await page.textContent('#raw-body'), body);
  await page.click('button[data-view="pretty"]');
  assert.match(await page.textContent('#body-view'), /<script>window.__pwned=1<\/script>/);
  assert.equal(await page.locator('#detail script, #detail img, #detail b, #list svg').count(), 0);
  assert.equal(await page.evaluate(() => window.__pwned), undefined);
  assert.match(await page.textContent('#start-line'), /%3Csvg%20onload=alert\(1\)%3E/);
});

test('the filter narrows the list, lives in the URL and survives a reload', async () => {
  send(['stripe', 'invoice.paid', '--to', ':' + listener.port]);
  await waitRows(page, 5);
  await page.fill('input[name="provider"]', 'stripe');
  await waitRows(page, 1);
  assert.match(page.url(), /provider=stripe/);
  await page.reload();
  await page.waitForSelector('body[data-ready]');
  assert.equal(await page.inputValue('input[name="provider"]'), 'stripe');
  assert.equal(await rowCount(), 1);
  assert.match(await page.locator('#rows tr').first().textContent(), /invoice\.paid/);
  // Live rows obey the filter too: a GitHub delivery does not show, a Stripe one does.
  send(['github', 'push', '--to', ':' + listener.port, '--secret', 's3cret']);
  send(['stripe', 'invoice.paid', '--to', ':' + listener.port]);
  await waitRows(page, 2);
  assert.doesNotMatch(await page.textContent('#rows'), /github/);
  await page.fill('input[name="provider"]', '');
  await page.fill('input[name="q"]', '__pwned');
  await waitRows(page, 1);
  await page.fill('input[name="q"]', '');
  await waitRows(page, 7);
});

test('pause holds new rows until resumed', async () => {
  await page.click('#pause');
  send(['github', 'push', '--to', ':' + listener.port, '--secret', 's3cret']);
  await page.waitForSelector('#live:text("1 new")');
  assert.equal(await rowCount(), 7);
  await page.click('#pause');
  assert.equal(await rowCount(), 8);
  await page.screenshot({ path: path.join(ARTIFACTS, 'inspector-list.png') });
});

test('a foreign Host, a cross-origin POST and a POST without the token are refused', async () => {
  const port = Number(new URL(listener.ui).port);
  const id = captureLines(capture)[0].id;
  assert.equal((await raw(port, { path: '/api/deliveries', headers: { Host: 'evil.example:' + port } })).status, 421);
  const post = { method: 'POST', path: '/api/deliveries/' + id + '/replay' };
  assert.equal((await raw(port, { ...post, headers: { Host: '127.0.0.1:' + port } }, '{}')).status, 403);
  const html = (await raw(port, { path: '/', headers: { Host: '127.0.0.1:' + port } })).text;
  const token = /name="hooktool-token" content="([0-9a-f]+)"/.exec(html)[1];
  assert.equal((await raw(port, { ...post, headers: { Host: '127.0.0.1:' + port, 'X-Hooktool-Token': token,
    Origin: 'http://evil.example' } }, '{}')).status, 403);
  // The same request from the page's own origin is accepted.
  assert.equal((await raw(port, { ...post, headers: { Host: '127.0.0.1:' + port, 'X-Hooktool-Token': token,
    Origin: 'http://127.0.0.1:' + port } }, '{}')).status, 200);
  // A page on another origin cannot post to the API either (the browser's own CORS rules).
  const other = await browser.newPage();
  await other.goto('http://127.0.0.1:' + handler.port + '/');
  const result = await other.evaluate(async (url) => {
    try {
      const r = await fetch(url, { method: 'POST', body: '{}', headers: { 'Content-Type': 'text/plain' } });
      return r.status;
    } catch (e) { return 'blocked'; }
  }, listener.ui + 'api/deliveries/' + id + '/replay');
  assert.ok(result === 'blocked' || result === 403, String(result));
  await other.close();
});

test('the first rows come in the page itself, and a hostile one there stays text', async () => {
  // Written to the socket as bytes: '<' in the path and in GitHub's event header, U+2028 and U+2029
  // (UTF-8) at the path's end.
  const evilPath = '/x</script><script>window.__pwned=4</script>\u2028\u2029';
  const evilEvent = '</script><!--<script>window.__pwned=5</script>';
  const answer = await new Promise((resolve, reject) => {
    const socket = net.connect(listener.port, '127.0.0.1');
    let text = '';
    socket.on('data', (d) => { text += d; });
    socket.on('end', () => resolve(text));
    socket.on('error', reject);
    socket.end(Buffer.from('POST ' + evilPath + ' HTTP/1.1\r\nHost: 127.0.0.1:' + listener.port + '\r\nX-GitHub-Event: ' +
      evilEvent + '\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}', 'utf8'));
  });
  assert.match(answer, /^HTTP\/1\.1 200 /);
  // A tab of its own: no earlier document's requests (its event stream's end asks /api/deliveries).
  const fresh = await browser.newPage({ viewport: { width: 1600, height: 900 } });
  const asked = [];
  const onRequest = (r) => { const p = new URL(r.url()).pathname; if (p.startsWith('/api/')) asked.push(p); };
  fresh.on('request', onRequest);
  await fresh.goto(listener.ui);
  await fresh.waitForSelector('body[data-ready]');
  fresh.off('request', onRequest);
  const askedBeforeReady = asked.filter((p) => p === '/api/deliveries' || p === '/api/history');
  assert.deepEqual(askedBeforeReady, [], 'the first page of rows was fetched, not embedded');
  const cells = await fresh.$$eval('#rows tr:first-child td', (tds) => tds.map((td) => td.textContent));
  assert.equal(cells[3], evilPath);
  assert.equal(cells[5], evilEvent);
  assert.equal(await fresh.evaluate(() => window.__pwned), undefined);
  // The script, and no other: the data block is read and removed, nothing came out of it.
  assert.equal(await fresh.locator('script').count(), 1);
  assert.equal(await fresh.locator('#rows script, #rows svg, #rows img').count(), 0);
  await fresh.close();
});
