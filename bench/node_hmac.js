// bench/listen.sh's Node.js peer: what a webhook handler written for Node typically is, node's
// own http server verifying GitHub's X-Hub-Signature-256 (HMAC-SHA256 of the raw body, compared
// in constant time) and answering 200, or 401 when it does not match. Not part of hooktool.
// Usage: node bench/node_hmac.js SECRET       (prints "listening on http://127.0.0.1:PORT")
'use strict';
const http = require('node:http');
const crypto = require('node:crypto');

const secret = process.argv[2] || 's';
const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks);
    const want = Buffer.from('sha256=' + crypto.createHmac('sha256', secret).update(body).digest('hex'));
    const got = Buffer.from(String(req.headers['x-hub-signature-256'] || ''));
    const ok = got.length === want.length && crypto.timingSafeEqual(got, want);
    res.writeHead(ok ? 200 : 401, { 'Content-Type': 'text/plain' });
    res.end(ok ? 'ok\n' : 'bad signature\n');
  });
});
server.keepAliveTimeout = 5000;
server.listen(0, '127.0.0.1', () => {
  console.log('listening on http://127.0.0.1:' + server.address().port);
});
