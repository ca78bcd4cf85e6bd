// Responsiveness with 10,000 deliveries in the capture file: page load, the first rows, paging
// back, a free-text filter over the file, and a live row arriving while 1,000 rows are shown.
// The figures are printed (`# …`) and bounded generously, so a loaded CI machine does not fail.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { captureLines, launchBrowser, send, startListen, stop, stopAll, tempDir, waitForLines, waitRows } from './harness.mjs';

const N = 10000;
let dir, capture, listener, browser, page;

before(async () => {
  dir = tempDir();
  capture = path.join(dir, 'big.jsonl');
  // One real delivery, then N copies with their own ids (and a marker in the last body).
  const seed = await startListen(['-q', '--capture', capture, '--secret', 'github=s3cret']);
  send(['github', 'push', '--to', ':' + seed.port, '--secret', 's3cret']);
  await waitForLines(capture, 1);
  await stop(seed);
  const record = captureLines(capture)[0];
  const out = fs.openSync(capture, 'w', 0o600);
  for (let i = 0; i < N; i++) {
    const r = { ...record, id: 'cap_load' + String(i).padStart(16, '0') };
    if (i === 0) r.body = r.body.replace('{', '{"marker":"oldest-one",');
    fs.writeSync(out, JSON.stringify(r) + '\n');
  }
  fs.closeSync(out);
  console.log(`# capture: ${N} deliveries, ${(fs.statSync(capture).size / 1048576).toFixed(1)} MiB`);
  listener = await startListen(['-q', '--ui', '--ui-port', '0', '--capture', capture, '--secret', 'github=s3cret']);
  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 1600, height: 900 } });
});

after(async () => {
  if (browser) await browser.close();
  if (listener) await stop(listener);
  stopAll();
});

const rows = () => page.locator('#rows tr').count();

test('the page opens on the newest of a 10,000-delivery capture', async () => {
  const start = Date.now();
  await page.goto(listener.ui);
  await page.waitForSelector('body[data-ready]');
  const wall = Date.now() - start;
  const t = await page.evaluate(() => ({ load: performance.getEntriesByType('navigation')[0].loadEventEnd,
    ready: Number(document.body.dataset.ready) }));
  console.log(`# load event ${t.load.toFixed(1)} ms, first 100 rows ${t.ready.toFixed(1)} ms (wall ${wall} ms)`);
  assert.equal(await rows(), 100);
  assert.equal(await page.getAttribute('#rows tr >> nth=0', 'data-id'), 'cap_load' + String(N - 1).padStart(16, '0'));
  assert.ok(t.ready < 2000, 'first rows after ' + t.ready + ' ms');
});

test('paging back through the file stays fast', async () => {
  const times = [];
  for (let shown = 100; shown < 1000; shown += 100) {
    const start = Date.now();
    await page.click('#older');
    await waitRows(page, shown + 100);
    times.push(Date.now() - start);
  }
  times.sort((a, b) => a - b);
  console.log(`# load older (100 rows): median ${times[4]} ms, max ${times[8]} ms`);
  assert.ok(times[8] < 3000);
});

test('a live delivery shows at once with 1,000 rows on the page', async () => {
  const start = Date.now();
  send(['github', 'push', '--to', ':' + listener.port, '--secret', 's3cret']);
  await waitRows(page, 1001);
  console.log(`# send -> row shown with 1000 rows: ${Date.now() - start} ms (includes the send process)`);
  const click = Date.now();
  await page.locator('#rows tr').first().click();
  await page.waitForSelector('#headers tr');
  const shownIn = await page.getAttribute('#detail', 'data-shown-in');
  console.log(`# row click -> detail: ${Date.now() - click} ms as driven, ${shownIn} ms in the page (fetch + render)`);
});

test('a free-text filter finds the oldest delivery in the file', async () => {
  const start = Date.now();
  await page.fill('input[name="q"]', 'oldest-one');
  await waitRows(page, 1, 30000);
  await page.waitForSelector('body[data-ready]');
  console.log(`# free-text filter over ${N} captured deliveries: ${Date.now() - start} ms`);
  assert.equal(await page.getAttribute('#rows tr >> nth=0', 'data-id'), 'cap_load' + '0'.padStart(16, '0'));
});
