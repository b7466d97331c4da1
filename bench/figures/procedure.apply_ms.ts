/**
 * procedure.apply_ms: a supervisor's approval of a limit change (procedures.approve) to the new
 * version loaded in every socket's runner, 2 sockets, change control on (a real file written,
 * real runner processes reloading it).
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createStation } from '#station/station.ts';
import { SettingsSchema } from '#contract/settings.ts';
import type { Result } from '#contract/errors.ts';
import { median, report, spreadOf } from '../lib/report.ts';

const QUICK = fileURLToPath(new URL('../../test/fixtures/sequences/quick', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'passline-bench-'));
const seq = join(dir, 'sequences');
cpSync(QUICK, join(seq, 'quick'), { recursive: true });
const station = await createStation({
  dataDir: join(dir, 'data'),
  settings: SettingsSchema.parse({ sequenceFolder: seq, procedureId: 'quick', sockets: 2, procedureChangesNeedApproval: true }),
  log: () => {},
});
await station.ready();

const must = async <T>(name: string, input: unknown): Promise<T> => {
  const r: Result<unknown> = await station.invoke(name, input);
  if (!r.ok) throw new Error(`${name}: ${r.error.message}`);
  return r.value as T;
};
await must('setup.createAdmin', { badge: 'ADM-1', name: 'Ada Admin', pin: '9137' });
await must('people.add', { badge: 'SUP-1', name: 'Sam Supervisor', role: 'supervisor', pin: '7777' });
await must('people.add', { badge: 'SUP-2', name: 'Sol Second', role: 'supervisor', pin: '8888' });
await must('session.login', { badge: 'SUP-1', pin: '7777' });

let waiting: { hash: string; sockets: Set<number>; done: () => void } | null = null;
station.bus.subscribe((e) => {
  if (e.kind !== 'procedure.loaded' || !waiting || e.data.procedure.hash !== waiting.hash || e.socket === null) return;
  waiting.sockets.add(e.socket);
  if (waiting.sockets.size === 2) waiting.done();
});

const samples: number[] = [];
for (let i = 0; i < 12; i++) {
  const { hash } = await must<{ hash: string }>('procedures.get', { procedureId: 'quick' });
  const draft = await must<{ draftId: string }>('procedures.propose', {
    procedureId: 'quick',
    baseHash: hash,
    changes: [{ path: ['phases', 'second', 'measurements', 'volts', 'upper'], value: 2 + (i + 1) / 100 }],
    reason: 'bench',
  });
  const t0 = performance.now();
  let newHash = '';
  const loaded = new Promise<void>((resolve) => {
    // The hash is known only once approve returns; loads seen before are matched then.
    const seen: { hash: string; socket: number }[] = [];
    const off = station.bus.subscribe((e) => {
      if (e.kind === 'procedure.loaded' && e.socket !== null) seen.push({ hash: e.data.procedure.hash, socket: e.socket });
    });
    void must<{ hash: string }>('procedures.approve', { draftId: draft.draftId, supervisorId: 'SUP-2', pin: '8888' }).then((r) => {
      newHash = r.hash;
      off();
      waiting = { hash: newHash, sockets: new Set(seen.filter((s) => s.hash === newHash).map((s) => s.socket)), done: resolve };
      if (waiting.sockets.size === 2) resolve();
    });
  });
  await loaded;
  samples.push(performance.now() - t0);
  waiting = null;
  // The folder watcher's own look at the write (a quarter second later) finds it loaded already.
  await new Promise((r) => setTimeout(r, 400));
}
await station.close();
rmSync(dir, { recursive: true, force: true });
report('procedure.apply_ms', median(samples), 'ms', 300, spreadOf(samples));
