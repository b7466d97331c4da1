/**
 * Every procedure version that ran is kept: a real station on a copy of the quick fixture,
 * its phases.ts edited on disk, the reload awaited; a supervisor then lists both versions and
 * compares them through the station's commands.
 */
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, expect, test } from 'vitest';
import type { CommandOutput } from '#contract/commands.ts';
import { openTestStation } from '../helpers/station.ts';
import { loginAs, type Invoke } from '../helpers/people.ts';
import { FIXTURE_SEQUENCES, tempDir } from '../helpers/paths.ts';

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function must<T>(invoke: Invoke, name: string, input: unknown): Promise<T> {
  const r = await invoke(name, input);
  if (!r.ok) throw new Error(`${name}: ${r.error.kind}: ${r.error.message}`);
  return r.value as T;
}

/** The station keeps a version after its load event, off the event's turn: poll the command until it shows. */
async function versionsUntil(invoke: Invoke, count: number): Promise<CommandOutput<'procedures.versions'>['versions']> {
  const until = Date.now() + 10_000;
  for (;;) {
    const { versions } = await must<CommandOutput<'procedures.versions'>>(invoke, 'procedures.versions', { procedureId: 'quick' });
    if (versions.length >= count || Date.now() > until) return versions;
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('versions are kept across an edit on disk, and compare shows the changed line', { timeout: 60_000 }, async () => {
  const seq = tempDir('passline-versions-seq-');
  cleanups.push(seq.remove);
  cpSync(join(FIXTURE_SEQUENCES, 'quick'), join(seq.dir, 'quick'), { recursive: true });
  const t = await openTestStation({ procedureId: 'quick', sequenceFolder: seq.dir });
  cleanups.push(() => t.close());
  const invoke: Invoke = (name, input) => t.station.invoke(name, input);

  // Not for someone not logged in, nor for an operator: a supervisor's read.
  expect(await invoke('procedures.versions', { procedureId: 'quick' })).toMatchObject({ ok: false });
  await loginAs(invoke, 'operator');
  expect(await invoke('procedures.versions', { procedureId: 'quick' })).toMatchObject({ ok: false });
  await loginAs(invoke, 'supervisor');
  const [first] = await versionsUntil(invoke, 1);
  const loaded = t.station.snapshot().procedure!;
  expect(first).toMatchObject({ version: '1.0.0', hash: loaded.hash, files: ['phases.ts', 'procedure.yaml'] });

  const phases = join(seq.dir, 'quick', 'phases.ts');
  writeFileSync(phases, readFileSync(phases, 'utf8').replace("ctx.measure('volts', 1.5);", "ctx.measure('volts', 1.6);"));
  await t.events.waitFor('procedure.loaded', (e) => e.data.procedure.hash !== first!.hash, { timeoutMs: 30_000 });
  const versions = await versionsUntil(invoke, 2);
  expect(versions).toHaveLength(2);
  const [second, older] = versions;
  // Newest first; the same version string, another hash.
  expect(older!.hash).toBe(first!.hash);
  expect(second).toMatchObject({ version: '1.0.0', files: ['phases.ts', 'procedure.yaml'] });
  expect(second!.hash).not.toBe(first!.hash);
  expect(second!.firstLoadedAt >= first!.firstLoadedAt).toBe(true);

  const cmp = await must<CommandOutput<'procedures.compare'>>(invoke, 'procedures.compare', {
    procedureId: 'quick',
    fromHash: first!.hash,
    toHash: second!.hash,
  });
  expect(cmp.files.map((f) => [f.name, f.status])).toEqual([
    ['phases.ts', 'changed'],
    ['procedure.yaml', 'unchanged'],
  ]);
  const diff = cmp.files[0]!.diff!;
  expect(diff.split('\n').filter((l) => /^[-+](?![-+])/.test(l))).toEqual(["-  ctx.measure('volts', 1.5);", "+  ctx.measure('volts', 1.6);"]);
  expect(diff).toMatch(/^--- a\/phases\.ts\n\+\+\+ b\/phases\.ts\n@@ -\d+,7 \+\d+,7 @@\n/);

  // A hash the station never loaded is named, not an empty answer.
  expect(await invoke('procedures.compare', { procedureId: 'quick', fromHash: first!.hash, toHash: 'f'.repeat(64) })).toMatchObject({
    ok: false,
    error: { kind: 'not-found' },
  });
});
