/**
 * `passline run` as a test engineer and CI use it (a real child process), the
 * load-time type check, and hot reload of an edited procedure on a live station.
 */
import { cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { StationEvent } from '#contract/events.ts';
import { FIXTURE_SEQUENCES, SHIPPED_SEQUENCES, tempDir } from '../helpers/paths.ts';
import { openTestStation, type TestStation } from '../helpers/station.ts';
import { passline } from '../helpers/cli.ts';

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('passline run', () => {
  it('exits 0 on PASS and prints each phase and the result', async () => {
    const r = await passline('run', 'demo-board', '--serial', 'DEMO-0001', '--yes');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^PASS {4}rail_3v3 /m);
    expect(r.stdout).toMatch(/PASS {2}v_3v3 = 3\.\d+ V {2}\[3\.2 … 3\.4 V\]/);
    expect(r.stdout.trim().split('\n').at(-1)).toMatch(/^PASS in \d+\.\d s$/);
  });

  it('exits 1 on FAIL; --json prints one event per line, ending with run.ended', async () => {
    const r = await passline('run', 'demo-board', '--serial', 'DEMO-FAIL-0002', '--answer', 'led_check=yes', '--json');
    expect(r.code).toBe(1);
    const events = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as StationEvent);
    const seqs = events.map((e) => e.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    const last = events.at(-1)!;
    expect(last.kind).toBe('run.ended');
    expect(last.kind === 'run.ended' && last.data.failing.map((f) => f.name)).toEqual(['v_3v3']);
  });

  it('exits 2 on ABORTED: a prompt nobody can answer aborts with a message saying how to answer it', async () => {
    const r = await passline('run', 'demo-board', '--serial', 'DEMO-0003');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('the prompt "Is the power LED green?" (phase led_check) needs an answer: pass --answer "led_check=…" or --yes');
    // The record says why it stopped: not "operator aborted the run", since no operator did.
    expect(r.stdout).toMatch(/^ABORTED \(no answer for the prompt "Is the power LED green\?" \(phase led_check\): pass --answer "led_check=…" or --yes\) in /m);
    expect(r.stdout).toMatch(/^ABORTED +led_check .*— no answer for the prompt/m);
  });

  it('exits 2 on ERROR, and on a refused serial or a bad argument, with one clear line', async () => {
    expect((await passline('run', 'example-flow', '--serial', 'EX-1')).code).toBe(2);
    const bad = await passline('run', 'demo-board', '--serial', 'NOPE');
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim()).toBe('passline: "NOPE" is not a serial number for Demo board functional test. Expected the form DEMO-0001');
    const noSerial = await passline('run', 'demo-board');
    expect(noSerial).toMatchObject({ code: 2, stderr: 'passline: --serial is required\n' });
    const badParam = await passline('run', 'demo-board', '--serial', 'DEMO-1', '--param', 'novalue');
    expect(badParam.stderr).toBe('passline: --param novalue: expected key=value\n');
  });

  it('a main phase that busy-loops past its timeout: exit 2, ERROR, with the teardown run and recorded PASS', async () => {
    const r = await passline('run', join(FIXTURE_SEQUENCES, 'busy-loop'), '--serial', 'WATCHDOG-1', '--json');
    expect(r.code).toBe(2);
    const events = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as StationEvent);
    const ended = events.filter((e) => e.kind === 'run.phaseEnded').map((e) => e.kind === 'run.phaseEnded' && [e.data.phase.name, e.data.phase.outcome]);
    expect(ended).toEqual([
      ['first', 'PASS'],
      ['spin', 'PASS'],
      ['spin_short', 'ERROR'],
      ['cleanup', 'PASS'],
    ]);
    expect(events.at(-1)).toMatchObject({ kind: 'run.ended', data: { outcome: 'ERROR' } });
  });

  it('--param overrides a phase parameter for the run', async () => {
    const r = await passline('run', 'example-flow', '--serial', 'EX-1', '--param', 'variant=B');
    expect(r.stdout).toMatch(/^PASS {4}only_for_variant_b/m);
  });

  it('runs a procedure folder given by path', async () => {
    const r = await passline('run', join(SHIPPED_SEQUENCES, 'example-limits'), '--serial', 'EX-1');
    expect(r.code).toBe(0);
  });

  it('runs the very folder it is given, not another folder with the same id; an id two folders share is refused naming both', async () => {
    const t = tempDir();
    cleanups.push(t.remove);
    const original = join(t.dir, 'example-limits');
    const copy = join(t.dir, 'example-limits-v2');
    cpSync(join(SHIPPED_SEQUENCES, 'example-limits'), original, { recursive: true });
    cpSync(join(SHIPPED_SEQUENCES, 'example-limits'), copy, { recursive: true });
    const yaml = join(copy, 'procedure.yaml');
    writeFileSync(yaml, readFileSync(yaml, 'utf8').replace('version: 1.0.0', 'version: 2.0.0-rc1'));

    const r = await passline('run', copy, '--serial', 'EX-1');
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')[0]).toBe('Example: limits and validators 2.0.0-rc1 — unit EX-1');

    const byId = await passline('run', 'example-limits', '--sequences', t.dir, '--serial', 'EX-1');
    expect(byId.code).toBe(2);
    expect(byId.stderr.trim()).toBe(`passline: 2 procedures have the id "example-limits" in ${t.dir}: ${original} and ${copy}; give each its own id`);

    // The station refuses it the same way instead of running whichever folder sorts first.
    const station = await openTestStation({ procedureId: 'example-limits', sequenceFolder: t.dir });
    cleanups.push(() => station.close());
    expect(station.station.snapshot().procedureError?.message).toBe(
      `2 procedures have the id "example-limits" in ${t.dir}: ${original} and ${copy}; give each its own id`,
    );
  });

  it('refuses a --param that names no parameter or no phase, listing what exists, before anything runs', async () => {
    const unknownKey = await passline('run', 'example-flow', '--serial', 'EX-1', '--param', 'varient=B');
    expect(unknownKey.code).toBe(2);
    expect(unknownKey.stderr).toMatch(/^passline: --param varient: no phase has a parameter "varient" \(parameters: [^)]*\bvariant\b[^)]*; or phase\.key: /);
    const unknownPhase = await passline('run', 'example-soak', '--serial', 'EX-1', '--param', 'soak.durationS=1');
    expect(unknownPhase.code).toBe(2);
    expect(unknownPhase.stderr.trim()).toBe('passline: --param soak.durationS: no phase "soak" in this procedure (phases: burn_in, power_off)');
    const unknownInPhase = await passline('run', 'example-soak', '--serial', 'EX-1', '--param', 'burn_in.maxCurrent=1');
    expect(unknownInPhase.stderr.trim()).toBe(
      'passline: --param burn_in.maxCurrent: phase "burn_in" has no parameter "maxCurrent" (it has: durationS, everyS, maxCurrentA)',
    );
    const notSeconds = await passline('run', 'example-soak', '--serial', 'EX-1', '--param', 'burn_in.durationS=long');
    expect(notSeconds.stderr.trim()).toBe("passline: --param burn_in.durationS: a soak's durationS is a number of seconds above 0");
  });

  it("--param phase.durationS sets a soak's length for the run, as the soak example says", async () => {
    const comment = readFileSync(join(SHIPPED_SEQUENCES, 'example-soak', 'procedure.yaml'), 'utf8');
    expect(comment).toContain('--param burn_in.durationS=');
    const r = await passline('run', 'example-soak', '--serial', 'EX-1', '--param', 'burn_in.durationS=1', '--json');
    expect(r.code).toBe(0);
    const events = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as StationEvent);
    const burnIn = events.find((e) => e.kind === 'run.phaseEnded' && e.data.phase.name === 'burn_in');
    if (burnIn?.kind !== 'run.phaseEnded') throw new Error('no burn_in phase');
    // Samples every 0.5 s for 1 s instead of 3 s: a few points, not six or seven.
    const points = burnIn.data.phase.measurements.find((m) => m.name === 'supply_current')!.value as unknown[];
    expect(points.length).toBeGreaterThanOrEqual(2);
    expect(points.length).toBeLessThanOrEqual(3);
  });

  it('refuses a serial that does not match before a station or runner starts: nothing is written to the data folder', async () => {
    const t = tempDir();
    cleanups.push(t.remove);
    const data = join(t.dir, 'data');
    const r = await passline('run', 'demo-board', '--serial', 'demo-0001', '--data-dir', data);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe(
      'passline: "demo-0001" is in small letters: serial numbers for Demo board functional test are in capitals, like DEMO-0001. Is Caps Lock on?',
    );
    expect(existsSync(data)).toBe(false);
  });

  it('passline schema makes the $schema line work for a procedure folder outside the repo', async () => {
    const t = tempDir();
    cleanups.push(t.remove);
    const dir = join(t.dir, 'copied');
    cpSync(join(SHIPPED_SEQUENCES, 'example-limits'), dir, { recursive: true });
    const r = await passline('schema', dir);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`wrote ${join(dir, 'procedure.schema.json')}`);
    expect(readFileSync(join(dir, 'procedure.yaml'), 'utf8').split('\n')[0]).toBe('# yaml-language-server: $schema=./procedure.schema.json');
    expect(JSON.parse(readFileSync(join(dir, 'procedure.schema.json'), 'utf8'))).toMatchObject({ type: 'object' });
    const notAFolder = await passline('schema', join(t.dir, 'nope'));
    expect(notAFolder.code).toBe(2);
  });

  it('refuses a procedure with a type error, naming file, line and column', async () => {
    const t = tempDir();
    cleanups.push(t.remove);
    const dir = join(t.dir, 'typed');
    cpSync(join(SHIPPED_SEQUENCES, 'example-limits'), dir, { recursive: true });
    const ts = join(dir, 'phases.ts');
    writeFileSync(ts, readFileSync(ts, 'utf8').replace("ctx.measure('exclusive', 0.5);", "ctx.measure('exclusive', 0.5);\n  const n: number = 'x';"));
    const r = await passline('run', dir, '--serial', 'EX-1');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`passline: type errors:\n${ts}:7:9: Type 'string' is not assignable to type 'number'.`);
  });
});

describe('hot reload', () => {
  let ts: TestStation;
  it('picks up an edit between runs, never during one, and keeps the last good version when an edit is bad', async () => {
    const t = tempDir();
    cleanups.push(t.remove);
    cpSync(join(SHIPPED_SEQUENCES, 'example-limits'), join(t.dir, 'example-limits'), { recursive: true });
    ts = await openTestStation({ procedureId: 'example-limits', sequenceFolder: t.dir });
    cleanups.push(() => ts.close());
    const yaml = join(t.dir, 'example-limits', 'procedure.yaml');
    const original = readFileSync(yaml, 'utf8');

    writeFileSync(yaml, original.replace('version: 1.0.0', 'version: 1.0.1'));
    await ts.events.waitFor('procedure.loaded', (e) => e.data.procedure.version === '1.0.1', { timeoutMs: 15_000 });
    const id = await ts.start('EX-1');
    await ts.ended(id);
    expect((await ts.record(id)).procedure.version).toBe('1.0.1');

    writeFileSync(yaml, original.replace('version: 1.0.0', 'version: [1.0.2'));
    const failed = await ts.events.waitFor('procedure.failed', () => true, { timeoutMs: 15_000 });
    expect(failed.data.error.message).toMatch(
      /procedure\.yaml:\d+: .*\n\(still running Example: limits and validators 1\.0\.1, the last version that loaded\)$/,
    );
    expect(ts.station.snapshot().procedureWarning?.message).toBe(failed.data.error.message);
    const id2 = await ts.start('EX-2');
    await ts.ended(id2);
    expect((await ts.record(id2)).procedure.version).toBe('1.0.1');

    writeFileSync(yaml, original);
    await ts.events.waitFor('procedure.loaded', (e) => e.data.procedure.version === '1.0.0', { afterSeq: failed.seq, timeoutMs: 15_000 });
    expect(ts.station.snapshot().procedureWarning).toBeNull();
  });
});
