/**
 * scpi.roundtrip_ratio: a query's round trip through the SCPI session (connection,
 * framing, queue, timeout, trace) over a socat pty pair, divided by the same
 * exchange done with a bare serialport on the same pair. Both talk to the same
 * simulated supply on the far end; rounds alternate so drift hits both alike.
 * Medians of 6 rounds × 300 queries each.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SerialPort } from 'serialport';
import { connectInstrument } from '#station/instruments/connect.ts';
import { PtyPair, servePty } from '#station/instruments/sim-server.ts';
import { SimBench, SimDevice } from '#station/instruments/sim.ts';
import { median, report } from '../lib/report.ts';

const ROUNDS = 6;
const QUERIES = 300;
const dir = mkdtempSync(join(tmpdir(), 'passline-bench-scpi-'));
const pair = new PtyPair(join(dir, 'station'), join(dir, 'sim'));
const server = await servePty(new SimDevice('psu', new SimBench()), pair);

async function raw(): Promise<number[]> {
  const port = new SerialPort({ path: pair.a, baudRate: 115200, autoOpen: false });
  await new Promise<void>((resolve, reject) => port.open((e) => (e ? reject(e) : resolve())));
  let buf = '';
  let waiting: (() => void) | null = null;
  port.on('data', (d: Buffer) => {
    buf += d.toString('latin1');
    if (buf.includes('\n') && waiting) {
      const w = waiting;
      waiting = null;
      w();
    }
  });
  const out: number[] = [];
  for (let i = 0; i < QUERIES; i++) {
    buf = '';
    const t0 = performance.now();
    const got = new Promise<void>((resolve) => (waiting = resolve));
    port.write('OUTP?\n');
    await got;
    out.push(performance.now() - t0);
  }
  await new Promise<void>((r) => port.close(() => r()));
  return out;
}

async function session(): Promise<number[]> {
  const o = connectInstrument('psu', `serial:${pair.a}?baud=115200&driver=psu`);
  await o.connection.ready(5000);
  const out: number[] = [];
  for (let i = 0; i < QUERIES; i++) {
    const t0 = performance.now();
    await o.session.query('OUTP?');
    out.push(performance.now() - t0);
  }
  await o.instrument.close();
  return out;
}

// Warm both paths (JIT, pty buffers) before measuring.
await raw();
await session();
const rawMs: number[] = [];
const sessionMs: number[] = [];
for (let r = 0; r < ROUNDS; r++) {
  rawMs.push(...(await raw()));
  sessionMs.push(...(await session()));
}
await server.close();
rmSync(dir, { recursive: true, force: true });

const rawMedian = median(rawMs);
const sessionMedian = median(sessionMs);
report('scpi.roundtrip_ratio', sessionMedian / rawMedian, 'ratio', 1.2, {
  session_median_us: Math.round(sessionMedian * 1000),
  raw_median_us: Math.round(rawMedian * 1000),
  queries: rawMs.length,
});
