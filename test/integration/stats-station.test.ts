/**
 * The stats.* commands over the station's WebSocket, as a dashboard or the supervisor's screen
 * asks them: a real headless station (runner processes, SQLite file) with the stats-line
 * fixture, runs started over /ws; a supervisor reads yield, Pareto, SPC, series and alerts; an
 * operator reads only the shift figure; a runs:read token reads the figures, an events:read one
 * is refused naming the scope; the yield alert arrives on the event stream.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { CommandOutput, StationSnapshot } from '#contract/commands.ts';
import type { StationEventOf } from '#contract/events.ts';
import { startServer, type RunningServer } from '#server/server.ts';
import { openTestStation, type TestStation } from '../helpers/station.ts';
import { ApiClient } from '../helpers/ws.ts';
import { loginAs, type Invoke } from '../helpers/people.ts';
import { tempDir } from '../helpers/paths.ts';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

let t: TestStation;
let server: RunningServer;
let wsBase: string;
let page: ApiClient;
const ui = tempDir('passline-ui-');

const value = <T>(r: { ok: boolean; value?: unknown; error?: unknown }): T => {
  if (!r.ok) throw new Error(`refused: ${JSON.stringify(r.error)}`);
  return r.value as T;
};

beforeAll(async () => {
  t = await openTestStation({
    procedureId: 'stats-line',
    settings: { referenceSerialPattern: '^GOLD-', spcRules: [1, 2, 3, 4], yieldAlert: { minFirstPassYield: 0.9, window: 5 } },
  });
  writeFileSync(join(ui.dir, 'index.html'), '<!doctype html><title>Passline</title>');
  server = await startServer(t.station, { host: '127.0.0.1', port: 0, staticDir: ui.dir, log: () => undefined });
  wsBase = server.url.replace(/^http/, 'ws');
  page = await ApiClient.asPage(`${wsBase}/ws`);
  page.sendRaw(JSON.stringify({ type: 'subscribe' }));
  // Runs as the operator's screen starts them (no login needed on a new station).
  for (const serial of ['S-1', 'S-2', 'S-F3', 'S-F4', 'S-5', 'GOLD-1', 'S-F3']) {
    const r = await page.invoke('run.start', { serialNumber: serial });
    const runId = value<{ runId: string }>(r).runId;
    await page.event((e) => e.kind === 'run.ended' && e.runId === runId, `the end of ${serial}`);
  }
}, 120_000);

afterAll(async () => {
  await page?.close();
  await server?.close();
  await t?.close();
  ui.remove();
});

describe('stats over /ws', () => {
  test('an operator reads the shift figure (also in the snapshot) and is refused the supervisor figures', async () => {
    const invoke: Invoke = (n, i) => page.invoke(n, i);
    const refusal = await invoke('stats.yield', { procedureId: 'stats-line' });
    expect(refusal).toMatchObject({ ok: false, error: { kind: 'forbidden' } });
    await loginAs(invoke, 'operator');
    expect(await invoke('stats.spc', { procedureId: 'stats-line', measurement: 'rail.v' })).toMatchObject({
      ok: false,
      error: { kind: 'forbidden', message: 'stats.spc needs the role supervisor (you are logged in as an operator)' },
    });
    // Units first tested this shift: S-1 S-2 S-F3 S-F4 S-5 (GOLD-1 is a reference unit; S-F3's second run a retest).
    const shift = value<CommandOutput<'stats.shift'>>(await invoke('stats.shift', {}));
    expect(shift).toMatchObject({ unitsTested: 5, firstPassUnits: 3, firstPassYield: 0.6 });
    const snap = value<StationSnapshot>(await invoke('station.snapshot', {}));
    expect(snap.shiftYield).toEqual(shift);
  });

  test('a supervisor reads yield, Pareto, SPC, the measurement list and series', async () => {
    const invoke: Invoke = (n, i) => page.invoke(n, i);
    await loginAs(invoke, 'supervisor');
    const y = value<CommandOutput<'stats.yield'>>(await invoke('stats.yield', { procedureId: 'stats-line', groupBy: 'socket' }));
    // Five units; first passes S-1 S-2 S-5; S-F3 tested twice (failed twice), S-F4 once: final passes 3.
    expect(y.total).toMatchObject({ unitsTested: 5, firstPassUnits: 3, finalPassUnits: 3, retestedUnits: 1, runs: 6, failRuns: 3 });
    expect(y.reference).toMatchObject({ unitsTested: 1, runs: 1 });
    expect(y.rows.map((r) => r.key)).toEqual(['0']);

    const pareto = value<CommandOutput<'stats.pareto'>>(await invoke('stats.pareto', { procedureId: 'stats-line', groupBy: 'measurement' }));
    expect(pareto.bars.map((b) => [b.key, b.count])).toEqual([['rail.v', 3]]);
    const behind = value<CommandOutput<'stats.failureRuns'>>(await invoke('stats.failureRuns', pareto.bars[0]!.query));
    expect(behind.runs.map((r) => r.serialNumber)).toEqual(['S-F3', 'S-F4', 'S-F3']);

    const spc = value<CommandOutput<'stats.spc'>>(await invoke('stats.spc', { procedureId: 'stats-line', measurement: 'rail.v' }));
    const seg = spc.segments[0]!;
    // PASS and FAIL runs in run order, the reference unit left out: 3.31 3.32 3.5 3.5 3.32 3.5.
    expect(seg.points.value.map((x) => Math.round(x * 1000) / 1000)).toEqual([3.31, 3.32, 3.5, 3.5, 3.32, 3.5]);
    expect(seg).toMatchObject({ n: 6, outside: 3, pctOutside: 50, limits: { lower: 3.2, upper: 3.4 } });
    expect(spc.excluded).toEqual({ errorOrAborted: 0, reference: 1, notNumeric: 0 });
    expect(spc.units).toBe('V');

    const list = value<CommandOutput<'stats.measurements'>>(await invoke('stats.measurements', { procedureId: 'stats-line' }));
    expect(list.measurements.map((m) => [m.measurement, m.count])).toEqual([['rail.v', 7]]);

    const series = value<CommandOutput<'stats.series'>>(await invoke('stats.series', { procedureId: 'stats-line', measurement: 'sweep.gain', limit: 2 }));
    expect(series.series.map((s) => s.serialNumber)).toEqual(['S-F3', 'GOLD-1']);
    expect(series.series[0]).toMatchObject({ dimensions: [{ name: 'frequency', units: 'Hz' }, { name: 'gain', units: 'dB' }], points: [[1000, 1], [2000, 2], [3000, 3]] });

    expect(await invoke('stats.spc', { procedureId: 'stats-line', measurement: 'rail' })).toMatchObject({
      ok: false,
      error: { kind: 'not-found', message: expect.stringContaining('measurement: no numeric values of "rail"') },
    });
    expect(await invoke('stats.yield', { procedureId: 'stats-line', groupBy: 'week' })).toMatchObject({ ok: false, error: { kind: 'invalid-input', message: expect.stringMatching(/^groupBy: /) } });
  });

  test('the yield alert is on the event stream and in stats.alerts', async () => {
    const invoke: Invoke = (n, i) => page.invoke(n, i);
    await loginAs(invoke, 'supervisor');
    // The fifth unit (S-5) made the window of five: 3 of 5 first passes, 60 % < 90 %.
    const e = (await page.event((x) => x.kind === 'stats.alert', 'stats.alert')) as StationEventOf<'stats.alert'>;
    expect(e.data).toMatchObject({ state: 'raised', alert: { kind: 'yield', procedureId: 'stats-line', value: 0.6, threshold: 0.9, sockets: [0] } });
    const { alerts } = value<CommandOutput<'stats.alerts'>>(await invoke('stats.alerts', {}));
    expect(alerts).toEqual([expect.objectContaining({ id: 'yield:stats-line', kind: 'yield' })]);
  });

  test('a dashboard token with runs:read reads the figures; one with events:read is refused naming the scope', async () => {
    const invoke: Invoke = (n, i) => page.invoke(n, i);
    await loginAs(invoke, 'admin');
    const reader = value<CommandOutput<'tokens.create'>>(await invoke('tokens.create', { name: 'line dashboard', scope: 'runs:read' }));
    const watcher = value<CommandOutput<'tokens.create'>>(await invoke('tokens.create', { name: 'event screen', scope: 'events:read' }));
    const dash = await ApiClient.connect(`${wsBase}/ws`, { headers: { authorization: `Bearer ${reader.secret}` } });
    const weak = await ApiClient.connect(`${wsBase}/ws`, { headers: { authorization: `Bearer ${watcher.secret}` } });
    try {
      expect(value<CommandOutput<'stats.yield'>>(await dash.invoke('stats.yield', { procedureId: 'stats-line' })).total.unitsTested).toBe(5);
      expect(await weak.invoke('stats.yield', { procedureId: 'stats-line' })).toMatchObject({
        ok: false,
        error: { kind: 'forbidden', message: 'stats.yield needs a token with the scope runs:read (this token has events:read)' },
      });
    } finally {
      await dash.close();
      await weak.close();
    }
  });
});
