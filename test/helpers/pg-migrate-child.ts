/**
 * One process that brings a plant schema up to date, as a station or the plant process does on
 * connect: it connects, says "connected", waits for "go" on stdin (so several start together),
 * migrates and prints the result as one JSON line.
 */
import pg from 'pg';
import { createInterface } from 'node:readline';
import { migrateSchema } from '#station/uploader/pg-migrate.ts';

const [url, schema, who] = process.argv.slice(2);
const client = new pg.Client(url);
await client.connect();
console.log('connected');
const rl = createInterface({ input: process.stdin });
for await (const line of rl) if (line.trim() === 'go') break;
rl.close();
try {
  const r = await migrateSchema(client, schema!, who!);
  console.log(JSON.stringify({ ok: true, ...r }));
} catch (e) {
  console.log(JSON.stringify({ ok: false, error: (e as Error).message }));
} finally {
  await client.end();
}
