/** scan.first_phase_ms: scan accepted (run.start) to the first phase running, on the demo procedure. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createStation } from '#station/station.ts';
import { SettingsSchema } from '#contract/settings.ts';
import { median, percentile, report } from '../lib/report.ts';

const dir = mkdtempSync(join(tmpdir(), 'passline-bench-'));
const station = await createStation({ dataDir: dir, settings: SettingsSchema.parse({}), log: () => {} });
await station.ready();

const samples: number[] = [];
let t0 = 0;
let firstPhase: (() => void) | null = null;
let ended: (() => void) | null = null;
station.bus.subscribe((e) => {
  if (e.kind === 'run.phaseStarted' && firstPhase) {
    samples.push(performance.now() - t0);
    const f = firstPhase;
    firstPhase = null;
    f();
  }
  if (e.kind === 'prompt.opened') void station.invoke('prompt.answer', { promptId: e.data.prompt.id, answer: true });
  if (e.kind === 'run.ended') ended?.();
});

for (let i = 0; i < 12; i++) {
  const phase = new Promise<void>((r) => (firstPhase = r));
  const end = new Promise<void>((r) => (ended = r));
  t0 = performance.now();
  const res = await station.invoke('run.start', { serialNumber: `DEMO-${String(i).padStart(4, '0')}` });
  if (!res.ok) throw new Error(res.error.message);
  await phase;
  // Cut the run short: the figure is about the start, not the demo's pacing.
  await station.invoke('run.abort', { socket: 0 });
  await end;
  await station.ready();
  await new Promise((r) => setTimeout(r, 50));
}
await station.close();
rmSync(dir, { recursive: true, force: true });
const sorted = [...samples].sort((a, b) => a - b);
report('scan.first_phase_ms', median(samples), 'ms', 100, { p95: percentile(sorted, 95), n: samples.length });
