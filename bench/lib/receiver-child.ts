/**
 * A plant receiver for the upload benchmarks, in its own process (its own core):
 * parses each posted run, keeps run ids by Idempotency-Key, answers 201. Prints its
 * port; answers "count" on its IPC channel with the distinct and total deliveries.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

const seen = new Set<string>();
let total = 0;
const server = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const key = String(req.headers['idempotency-key'] ?? '');
    const rec = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { id?: string };
    if (rec.id !== key) {
      res.writeHead(422).end();
      return;
    }
    seen.add(key);
    total++;
    res.writeHead(201, { 'content-type': 'application/json' }).end('{"ok":true}');
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  console.log(String((server.address() as AddressInfo).port));
});
process.on('message', (m) => {
  if (m === 'count') process.send?.({ distinct: seen.size, total });
  if (m === 'stop') server.close(() => process.exit(0));
});
