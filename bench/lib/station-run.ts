import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createStation, type Station } from '#station/station.ts';
import { SettingsSchema } from '#contract/settings.ts';

export const BENCH_SEQUENCES = fileURLToPath(new URL('../sequences', import.meta.url));

/** A real station (runner process, SQLite journal, event bus) on a bench procedure. */
export async function benchStation(procedureId: string): Promise<{ station: Station; close(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'passline-bench-'));
  const station = await createStation({
    dataDir: dir,
    settings: SettingsSchema.parse({ sequenceFolder: BENCH_SEQUENCES, procedureId }),
    log: (level, m) => {
      if (level === 'error') console.error(m);
    },
  });
  await station.ready();
  const err = station.snapshot().procedureError;
  if (err) throw new Error(err.message);
  return {
    station,
    close: async () => {
      await station.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Milliseconds from run.start to run.ended. */
export async function timeRun(station: Station, serialNumber: string): Promise<{ ms: number; outcome: string }> {
  let done!: (o: string) => void;
  const ended = new Promise<string>((r) => (done = r));
  const off = station.bus.subscribe((e) => {
    if (e.kind === 'run.ended') done(e.data.outcome);
  });
  const t0 = performance.now();
  const res = await station.invoke('run.start', { serialNumber });
  if (!res.ok) throw new Error(res.error.message);
  const outcome = await ended;
  const ms = performance.now() - t0;
  off();
  await station.ready();
  return { ms, outcome };
}
