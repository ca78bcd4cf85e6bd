// Shared set-up for the browser tests: the real hooktool binary on loopback ports, Debian's
// headless Chromium driven by playwright-core. Every wait is bounded and waits on something
// (a banner line, a selector, a file's line count), never on a fixed sleep.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';

export const BIN = process.env.HOOKTOOL_BIN || process.argv[2];
export const CHROMIUM = process.env.HOOKTOOL_CHROMIUM || '/usr/bin/chromium';
export const ARTIFACTS = process.env.HOOKTOOL_ARTIFACTS || os.tmpdir();

const started = [];

export function tempDir() {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'hooktool-browser-'));
}

function waitFor(predicate, what, ms = 10000) {
  return new Promise((resolve, reject) => {
    const deadline = Date.now() + ms;
    const tick = () => {
      const v = predicate();
      if (v) return resolve(v);
      if (Date.now() > deadline) return reject(new Error('timed out waiting for ' + what));
      setTimeout(tick, 20);
    };
    tick();
  });
}

// Starts `hooktool listen --port 0 ARGS…` and waits for its banner (and the inspector's).
export async function startListen(args) {
  const proc = spawn(BIN, ['--no-config', 'listen', '--port', '0', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  started.push(proc);
  const out = { proc, stderr: '', stdout: '' };
  proc.stderr.on('data', (d) => { out.stderr += d; });
  proc.stdout.on('data', (d) => { out.stdout += d; });
  proc.exited = new Promise((resolve) => proc.on('exit', (code) => resolve(code)));
  const ui = args.includes('--ui');
  await waitFor(() => /listening on http:\/\/127\.0\.0\.1:(\d+)/.test(out.stderr) &&
    (!ui || /inspector on (http:\S+)/.test(out.stderr)), 'the listen banner:\n' + out.stderr);
  out.port = Number(/listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(out.stderr)[1]);
  if (ui) out.ui = /inspector on (http:\S+)/.exec(out.stderr)[1];
  return out;
}

export async function stop(listener) {
  if (listener.proc.exitCode === null) listener.proc.kill('SIGTERM');
  return listener.proc.exited;
}

export function stopAll() {
  for (const p of started) if (p.exitCode === null) p.kill('SIGKILL');
}

// Runs `hooktool send ARGS…` to completion; throws when it fails.
export function send(args) {
  const r = spawnSync(BIN, ['--no-config', 'send', ...args], { encoding: 'utf8', timeout: 30000 });
  if (r.status !== 0) throw new Error('send failed (' + r.status + '): ' + r.stderr);
  return r.stdout;
}

export function captureLines(file) {
  if (!fs.existsSync(file)) return [];
  return fs.readFileSync(file, 'utf8').split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l));
}

export function waitForLines(file, n) {
  return waitFor(() => captureLines(file).length >= n, n + ' lines in ' + file);
}

export async function launchBrowser() {
  const { chromium } = await import('playwright-core');
  return chromium.launch({ executablePath: CHROMIUM, headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
}

// Waits (bounded) until the list shows exactly n rows. Polled from here: the page's CSP
// forbids the eval that page.waitForFunction needs.
export async function waitRows(page, n, ms = 10000) {
  const deadline = Date.now() + ms;
  let count = -1;
  while (Date.now() < deadline) {
    count = await page.locator('#rows tr').count();
    if (count === n) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error('expected ' + n + ' rows, the list shows ' + count);
}

// A raw HTTP request to 127.0.0.1:port (no browser): { status, text } of the answer.
export function raw(port, options, body) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, ...options }, (res) => {
      let text = '';
      res.on('data', (d) => { text += d; });
      res.on('end', () => resolve({ status: res.statusCode, text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}
