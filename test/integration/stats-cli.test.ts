/**
 * `passline stats` as a user runs it: a real child process of the CLI on a station's data folder
 * written the way the station writes it; the figures are the ones stats.yield and stats.spc give
 * over the same store, and every bad flag is one line naming it.
 */
import { afterEach, describe, expect, test } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Measurement } from '#contract/records.ts';
import { DEFAULT_SHIFTS } from '#contract/stats.ts';
import { openDatabase } from '#station/store/db.ts';
import { RunsRepo } from '#station/store/runs-repo.ts';
import { StatsService } from '#station/stats/service.ts';
import { indexFinishedRuns } from '#station/stats/stat-writer.ts';
import { runStart } from '../helpers/records.ts';
import { FIXTURE_SEQUENCES, tempDir } from '../helpers/paths.ts';
import { passline } from '../helpers/cli.ts';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0).reverse()) c();
});

/** A data folder: units of procedure quick with a rail value each, one reference unit, and the station's settings file. */
function stationDir(): string {
  const t = tempDir('passline-stats-cli-');
  cleanups.push(t.remove);
  writeFileSync(join(t.dir, 'settings.json'), JSON.stringify({ referenceSerialPattern: '^GOLD-', spcRules: [1, 2] }));
  const db = openDatabase(t.dir);
  const repo = new RunsRepo(db);
  const values = [3.3, 3.31, 3.29, 3.45, 3.3, 3.32];
  const serials = ['Q-1', 'Q-2', 'Q-3', 'Q-4', 'GOLD-1', 'Q-4'];
  values.forEach((value, k) => {
    const at = new Date(Date.UTC(2026, 2, 2, 8, k)).toISOString();
    const run = runStart(serials[k]!, at);
    repo.insertRun(run);
    const m: Measurement = { name: 'v', value, units: 'V', validator: { kind: 'range', lower: 3.2, upper: 3.4 }, outcome: value > 3.4 ? 'FAIL' : 'PASS' };
    const outcome = value > 3.4 ? 'FAIL' : 'PASS';
    repo.finishRun(run.id, { outcome, endedAt: at, durationMs: 1000 + k }, [{ index: 0, name: 'rail', group: 'main', attempt: 1, outcome, startedAt: at, endedAt: at, durationMs: 1, measurements: [m], logs: [] }], []);
  });
  // As the station does after each run.
  indexFinishedRuns(db);
  db.close();
  return t.dir;
}

describe('passline stats', () => {
  test('--json prints what stats.yield and stats.spc give over the same store', async () => {
    const dir = stationDir();
    const r = await passline('stats', 'quick', '--data-dir', dir, '--measurement', 'rail.v', '--json');
    expect(r).toMatchObject({ code: 0, stderr: '' });
    const out = JSON.parse(r.stdout) as { yield: unknown; spc: unknown };
    const db = openDatabase(dir);
    cleanups.push(() => db.close());
    const settings = { shifts: DEFAULT_SHIFTS, referenceSerialPattern: '^GOLD-', spcRules: [1, 2] as (1 | 2)[], yieldAlert: { minFirstPassYield: null, window: 50 } };
    const service = new StatsService(db, () => settings);
    expect(out.yield).toEqual(service.yield({ procedureId: 'quick' }));
    expect(out.spc).toEqual(service.spc({ procedureId: 'quick', measurement: 'rail.v', maxPoints: 0 }));
    // Units Q-1..Q-4 (GOLD-1 apart); Q-4 failed, then passed on its retest.
    expect(out.yield).toMatchObject({ total: { unitsTested: 4, firstPassUnits: 3, finalPassUnits: 4, retestedUnits: 1 }, reference: { runs: 1 } });
    expect(out.spc).toMatchObject({ rules: [1, 2], segments: [{ n: 5, outside: 1 }] });
  });

  test('the text form: one line of yield, one per limit version, the rules', async () => {
    const dir = stationDir();
    const r = await passline('stats', join(FIXTURE_SEQUENCES, 'quick'), '--data-dir', dir, '--measurement', 'rail.v', '--version', '1.0.0');
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toBe(
      'quick (version 1.0.0, all runs): 4 units: first pass 75.0 %, final 100.0 %, retested 25.0 %; 5 runs (4 PASS, 1 FAIL, 0 ERROR, 0 ABORTED); test time mean 1002 ms, p95 1005 ms',
    );
    expect(lines[1]).toMatch(/^ {2}reference units \(\^GOLD-\), not in the figures above: 1 units/);
    expect(lines[2]).toMatch(/^rail\.v limits 3\.2 … 3\.4 V \(1\.0\.0; .*\): n 5, mean 3\.334 V, sigma overall .*, Cp .*, outside 1 \(20 %\)$/);
    expect(lines[3]).toMatch(/^ {2}rule|^ {2}rules 1, 2: no point breaks them/);
  });

  test('bad flags and names: one line naming the flag, exit 2', { timeout: 180_000 }, async () => {
    const dir = stationDir();
    const cases: [string[], string][] = [
      [['stats', 'quick', '--data-dir', dir, '--frmo', '2026-01-01T00:00:00Z'], 'passline stats: --frmo is not a flag of passline stats (see passline stats --help)\n'],
      [['stats', 'quick', '--data-dir', dir, '--from', 'yesterday'], 'passline stats: --from yesterday: not an ISO date-time with its zone (e.g. 2026-03-02T06:00:00Z)\n'],
      [['stats', 'quick', '--data-dir', dir, '--group-by', 'week'], `passline stats: --group-by week: one of procedureVersion, partNumber, socket, fixture, operator, shift, hour, day\n`],
      [['stats', 'quick', '--data-dir', dir, '--rules', '1,9'], 'passline stats: --rules 1,9: "9" is not a rule (1 to 8, e.g. --rules 1,2,5)\n'],
      [['stats', 'quick', '--data-dir', dir, '--version'], 'passline stats: --version needs a value\n'],
      [['stats', 'quick', '--data-dir', dir, '--measurement', 'volts'], 'passline stats: --measurement volts: give it as phase.name (e.g. rail_3v3.v_3v3)\n'],
      [['stats', 'quick', '--data-dir', dir, '--measurement', 'rail.nope'], 'passline stats: measurement: no numeric values of "rail.nope" are stored for procedure quick (give it as phase.name)\n'],
      [['stats', 'nothing', '--data-dir', dir], `passline stats: no runs of procedure "nothing" in ${dir} (procedures with runs: quick)\n`],
      [['stats', 'quick', '--sequences', FIXTURE_SEQUENCES.replace('sequences', 'nowhere'), '--data-dir', dir], `passline stats: --sequences ${FIXTURE_SEQUENCES.replace('sequences', 'nowhere')}: no such folder\n`],
      [['stats', 'quick', '--data-dir', join(dir, 'none')], `passline stats: no station database in ${join(dir, 'none')} (looked for ${join(dir, 'none', 'passline.db')}); pass --data-dir\n`],
      [['stats', '--data-dir', dir], 'passline stats: give the procedure (an id or a folder): passline stats <procedure>\n'],
    ];
    for (const [args, stderr] of cases) expect({ args, ...(await passline(...args)) }).toEqual({ args, code: 2, stdout: '', stderr });
  });
});
