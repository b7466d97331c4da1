/**
 * Supervisors change procedures in the app, under change control: a real station on real
 * files with real runner processes, the fixture folder copied to a temp folder to edit.
 */
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import type { AuditEntry } from '#contract/audit.ts';
import type { ProcedureChangeResult, ProcedureDraft } from '#contract/procedures.ts';
import type { Result } from '#contract/errors.ts';
import { openTestStation, type TestStation } from '../helpers/station.ts';
import { ADMIN, PEOPLE, loginAs, setUpPeople, type Invoke } from '../helpers/people.ts';
import { FIXTURE_SEQUENCES, tempDir } from '../helpers/paths.ts';

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const SECOND = { badge: 'SUP-8', name: 'Sol Second', pin: '8888' } as const;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Opened {
  t: TestStation;
  seq: string;
  yaml: string;
  invoke: Invoke;
  must: <T>(name: string, input: unknown) => Promise<T>;
}

async function open(settings: Record<string, unknown> = {}, extra: (seq: string) => void = () => {}): Promise<Opened> {
  const seq = tempDir('passline-seq-');
  cleanups.push(seq.remove);
  cpSync(join(FIXTURE_SEQUENCES, 'quick'), join(seq.dir, 'quick'), { recursive: true });
  extra(seq.dir);
  const t = await openTestStation({ procedureId: 'quick', sequenceFolder: seq.dir, settings });
  cleanups.push(() => t.close());
  const invoke: Invoke = (name, input) => t.station.invoke(name, input);
  await setUpPeople(invoke);
  const r = await invoke('people.add', { ...SECOND, role: 'supervisor' });
  if (!r.ok) throw new Error(r.error.message);
  await loginAs(invoke, 'supervisor');
  const must = async <T>(name: string, input: unknown): Promise<T> => {
    const res = await invoke(name, input);
    if (!res.ok) throw new Error(`${name}: ${res.error.kind}: ${res.error.message}`);
    return res.value as T;
  };
  return { t, seq: seq.dir, yaml: join(seq.dir, 'quick', 'procedure.yaml'), invoke, must };
}

const hashOf = async (o: Opened): Promise<string> => (await o.must<{ hash: string }>('procedures.get', { procedureId: 'quick' })).hash;
const VOLTS_UPPER = ['phases', 'second', 'measurements', 'volts', 'upper'];

/** Waits until every socket's runner has loaded `hash`. */
async function loaded(o: Opened, hash: string, socket?: number): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const l = await o.must<{ sockets: { socket: number; loadedHash: string | null }[] }>('procedures.list', {});
    if (l.sockets.filter((s) => socket === undefined || s.socket === socket).every((s) => s.loadedHash === hash)) return;
    await sleep(50);
  }
  throw new Error(`hash ${hash.slice(0, 12)} never loaded`);
}

async function trail(o: Opened, action: string, count = 1): Promise<AuditEntry[]> {
  let entries: AuditEntry[] = [];
  for (let i = 0; i < 100; i++) {
    entries = (await o.must<{ entries: AuditEntry[] }>('audit.list', { limit: 100, action })).entries;
    if (entries.length >= count) return entries;
    await sleep(50);
  }
  return entries;
}

async function runOnce(o: Opened, serial: string, socket = 0, params?: Record<string, number>) {
  const r = await o.invoke('run.start', { serialNumber: serial, socket, ...(params ? { params } : {}) });
  if (!r.ok) throw new Error(r.error.message);
  const runId = (r.value as { runId: string }).runId;
  await o.t.ended(runId, 20_000);
  return o.t.record(runId);
}

const volts = (rec: Awaited<ReturnType<TestStation['record']>>) => rec.phases.find((p) => p.name === 'second')!.measurements.find((m) => m.name === 'volts')!;

describe('procedures changed in the app', () => {
  test('a limit changed with a reason: comments kept, version bumped, the next run records it, the trail says it in words', async () => {
    const o = await open();
    const before = await o.must<{ hash: string; version: string; file: { phases: unknown[] } }>('procedures.get', { procedureId: 'quick' });
    expect(before.version).toBe('1.0.0');
    const res = await o.must<ProcedureChangeResult>('procedures.propose', {
      procedureId: 'quick',
      baseHash: before.hash,
      changes: [{ path: VOLTS_UPPER, value: 1.4 }],
      reason: 'tighter after the rail fix',
    });
    expect(res).toMatchObject({ state: 'applied', version: '1.0.1', draftId: null });
    expect(res.diff.map((d) => d.words)).toEqual(['second · volts upper 2 V → 1.4 V']);
    const text = readFileSync(o.yaml, 'utf8');
    expect(text).toContain('# Three short phases on no instruments');
    expect(text).toMatch(/^version: 1\.0\.1$/m);
    expect(text).toMatch(/upper: 1\.4/);
    await loaded(o, res.hash!);
    const rec = await runOnce(o, 'Q-1');
    expect(rec.procedure).toMatchObject({ version: '1.0.1', hash: res.hash });
    expect(volts(rec).outcome).toBe('FAIL');
    const [changed] = await trail(o, 'procedure.changed', 2);
    expect(changed!.actor).toBe(PEOPLE.supervisor.badge);
    expect(changed!.details).toMatchObject({
      hash: res.hash,
      previousHash: before.hash,
      author: PEOPLE.supervisor.badge,
      approver: null,
      reason: 'tighter after the rail fix',
      words: ['second · volts upper 2 V → 1.4 V'],
      changes: [{ path: VOLTS_UPPER, from: 2, to: 1.4 }],
    });
    // The load of a hash the app wrote is not recorded again, nor as a change outside the app.
    expect(await trail(o, 'procedure.changedOutside', 0)).toEqual([]);
    // A change against the old hash is stale.
    const stale = await o.invoke('procedures.propose', {
      procedureId: 'quick',
      baseHash: before.hash,
      changes: [{ path: VOLTS_UPPER, value: 3 }],
      reason: 'again',
    });
    expect(stale).toMatchObject({ ok: false, error: { kind: 'invalid-input', details: { field: 'baseHash' } } });
    expect((stale as { error: { message: string } }).error.message).toMatch(/changed since it was opened/);
  });

  test('a bad value is refused naming the field; fields a supervisor may not change are refused', async () => {
    const o = await open();
    const baseHash = await hashOf(o);
    const propose = (path: (string | number)[], value: unknown) =>
      o.invoke('procedures.propose', { procedureId: 'quick', baseHash, changes: [{ path, value }], reason: 'try it' });
    const field = (r: Result<unknown>) => (r.ok ? null : (r.error.details as { field?: unknown }).field);
    expect(await propose(VOLTS_UPPER, 0.5)).toMatchObject({ ok: false, error: { kind: 'invalid-input' } });
    expect(field(await propose(VOLTS_UPPER, 0.5))).toEqual(VOLTS_UPPER);
    expect(field(await propose(['serialPattern'], '^Q-(['))).toEqual(['serialPattern']);
    expect(field(await propose(['phases', 'second', 'timeoutMs'], -5))).toEqual(['phases', 'second', 'timeoutMs']);
    expect(field(await propose(['phases', 'second', 'measurements', 'volts', 'units'], ''))).toEqual(['phases', 'second', 'measurements', 'volts', 'units']);
    const volts = await propose(['phases', 'second', 'measurements', 'volts', 'units'], 'Volts');
    expect(field(volts)).toEqual(['phases', 'second', 'measurements', 'volts', 'units']);
    expect(volts.ok ? '' : volts.error.message).toMatch(/unknown unit "Volts"/);
    expect(field(await propose(['phases', 'first', 'measurements', 'serial_ok', 'regex'], '(unclosed'))).toEqual([
      'phases',
      'first',
      'measurements',
      'serial_ok',
      'regex',
    ]);
    expect(field(await propose(['phases', 'nope', 'enabled'], false))).toEqual(['phases', 'nope', 'enabled']);
    expect(field(await propose(['id'], 'other'))).toEqual(['id']);
    expect(field(await propose(['phases', 'second', 'name'], 'x'))).toEqual(['phases', 'second', 'name']);
    const r = await propose(VOLTS_UPPER, 0.5);
    expect(r.ok ? '' : r.error.message).toMatch(/lower must not be above upper/);
    // Nothing was written.
    expect(await hashOf(o)).toBe(baseHash);
    expect(readFileSync(o.yaml, 'utf8')).toMatch(/^version: 1\.0\.0$/m);
  });

  test('a preview tells the change in words and the version it would make, writes nothing; the screen hears of a save by an event', async () => {
    const o = await open();
    const baseHash = await hashOf(o);
    const before = readFileSync(o.yaml, 'utf8');
    const trailLength = async () => (await o.must<{ entries: unknown[] }>('audit.list', { limit: 1000 })).entries.length;
    const entries = await trailLength();
    const preview = await o.must<{ version: string; diff: { words: string }[] }>('procedures.preview', {
      procedureId: 'quick',
      baseHash,
      changes: [{ path: VOLTS_UPPER, value: 2.5 }],
    });
    expect(preview.version).toBe('1.0.1');
    expect(preview.diff.map((d) => d.words)).toEqual(['second · volts upper 2 V → 2.5 V']);
    expect(readFileSync(o.yaml, 'utf8')).toBe(before);
    expect(await trailLength()).toBe(entries);
    // The same refusals as a save, naming the field.
    const bad = await o.invoke('procedures.preview', { procedureId: 'quick', baseHash, changes: [{ path: VOLTS_UPPER, value: 0.5 }] });
    expect(bad.ok ? null : bad.error.details).toMatchObject({ field: VOLTS_UPPER });

    const heard = o.t.events.waitFor('procedures.changed', (e) => e.data.action === 'procedure.changed');
    await o.must('procedures.propose', { procedureId: 'quick', baseHash, changes: [{ path: VOLTS_UPPER, value: 2.5 }], reason: 'wider rail' });
    expect((await heard).data).toEqual({ procedureId: 'quick', action: 'procedure.changed' });
  });

  test("an instance's own limits, a phase's on-failure and a prompt's image are edited; an image not in the folder is refused on the field", async () => {
    const o = await open({}, (seq) => {
      const yaml = join(seq, 'quick', 'procedure.yaml');
      const text = readFileSync(yaml, 'utf8')
        .replace(
          '  - name: second\n    timeoutMs: 5000\n',
          '  - name: second\n    timeoutMs: 5000\n    instances:\n      - params: { rail: A }\n      - params: { rail: B }\n',
        )
        .concat('prompts:\n  look:\n    kind: yes-no\n    message: Is the LED green?\n    image: led-off.svg\n');
      writeFileSync(yaml, text);
      writeFileSync(join(seq, 'quick', 'led-off.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
      writeFileSync(join(seq, 'quick', 'led-green.png'), 'png');
    });
    const got = await o.must<{ hash: string; images: string[] }>('procedures.get', { procedureId: 'quick' });
    expect(got.images).toEqual(['led-green.png', 'led-off.svg']);
    const image = ['prompts', 'look', 'image'];
    const missing = await o.invoke('procedures.propose', {
      procedureId: 'quick',
      baseHash: got.hash,
      changes: [{ path: image, value: 'led-blue.png' }],
      reason: 'new photo',
    });
    expect(missing.ok ? null : missing.error).toMatchObject({ kind: 'invalid-input', details: { field: image } });
    expect(missing.ok ? '' : missing.error.message).toMatch(/no image file led-blue\.png/);

    const changed = await o.must<ProcedureChangeResult>('procedures.propose', {
      procedureId: 'quick',
      baseHash: got.hash,
      changes: [
        { path: ['phases', 'second', 'instances', 1, 'measurements', 'volts', 'upper'], value: 1.5 },
        { path: ['phases', 'second', 'onFailure'], value: 'stop' },
        { path: image, value: 'led-green.png' },
      ],
      reason: 'rail B is tighter',
    });
    expect(changed.diff.map((d) => d.words).sort()).toEqual(
      ['prompt look · image "led-off.svg" → "led-green.png"', 'second · onFailure (none) → "stop"', 'second[rail=B] · volts upper 2 V → 1.5 V'].sort(),
    );
    const text = readFileSync(o.yaml, 'utf8');
    // The instance's own entry starts as a copy of the declared measurement: only upper differs.
    expect(text).toMatch(/- params: \{ rail: B \}\n\s+measurements:\n\s+- name: volts\n\s+units: V\n\s+lower: 1\n\s+upper: 1\.5/);
    expect(text).toMatch(/onFailure: stop/);
    expect(text).toMatch(/image: led-green\.png/);
  });

  test('with approval on the old limit runs until a second supervisor approves; the author cannot; a rejected draft never runs', async () => {
    const o = await open({ procedureChangesNeedApproval: true });
    const baseHash = await hashOf(o);
    const draft = await o.must<ProcedureChangeResult>('procedures.propose', {
      procedureId: 'quick',
      baseHash,
      changes: [{ path: VOLTS_UPPER, value: 1.4 }],
      reason: 'tighter',
    });
    expect(draft).toMatchObject({ state: 'draft', hash: null, version: '1.0.1' });
    expect(await hashOf(o)).toBe(baseHash);
    expect(volts(await runOnce(o, 'Q-1')).outcome).toBe('PASS');
    const own = await o.invoke('procedures.approve', { draftId: draft.draftId, supervisorId: PEOPLE.supervisor.badge, pin: PEOPLE.supervisor.pin });
    expect(own).toMatchObject({ ok: false, error: { kind: 'supervisor.invalid' } });
    expect(own.ok ? '' : own.error.message).toMatch(/second supervisor/);
    const wrongPin = await o.invoke('procedures.approve', { draftId: draft.draftId, supervisorId: SECOND.badge, pin: '0000' });
    expect(wrongPin).toMatchObject({ ok: false, error: { kind: 'supervisor.invalid' } });
    const ok = await o.must<{ hash: string; version: string }>('procedures.approve', { draftId: draft.draftId, supervisorId: SECOND.badge, pin: SECOND.pin });
    expect(ok.version).toBe('1.0.1');
    await loaded(o, ok.hash);
    const rec = await runOnce(o, 'Q-2');
    expect(rec.procedure.hash).toBe(ok.hash);
    expect(volts(rec).outcome).toBe('FAIL');
    const drafts = (await o.must<{ drafts: ProcedureDraft[] }>('procedures.drafts', { procedureId: 'quick' })).drafts;
    expect(drafts[0]).toMatchObject({ state: 'approved', author: PEOPLE.supervisor.badge, decidedBy: SECOND.badge, reason: 'tighter', hash: ok.hash });
    const [changed] = await trail(o, 'procedure.changed', 2);
    expect(changed!.details).toMatchObject({ author: PEOPLE.supervisor.badge, approver: SECOND.badge, words: ['second · volts upper 2 V → 1.4 V'] });
    expect(await trail(o, 'procedure.proposed')).toHaveLength(1);
    expect(await trail(o, 'procedure.approved')).toHaveLength(1);

    const second = await o.must<ProcedureChangeResult>('procedures.propose', {
      procedureId: 'quick',
      baseHash: ok.hash,
      changes: [{ path: VOLTS_UPPER, value: null }],
      reason: 'no upper at all',
    });
    await o.must('procedures.reject', { draftId: second.draftId, reason: 'not without an upper limit' });
    expect(await hashOf(o)).toBe(ok.hash);
    expect((await o.must<{ drafts: ProcedureDraft[] }>('procedures.drafts', {})).drafts[0]).toMatchObject({
      state: 'rejected',
      decisionReason: 'not without an upper limit',
    });
    expect(await o.invoke('procedures.approve', { draftId: second.draftId, supervisorId: SECOND.badge, pin: SECOND.pin })).toMatchObject({ ok: false });
  });

  test('a run in progress is never affected by a change: it keeps the hash it started with', async () => {
    const o = await open();
    const baseHash = await hashOf(o);
    const r = await o.invoke('run.start', { serialNumber: 'Q-3', socket: 0, params: { delayMs: 700 } });
    if (!r.ok) throw new Error(r.error.message);
    const runId = (r.value as { runId: string }).runId;
    await sleep(200);
    const res = await o.must<ProcedureChangeResult>('procedures.propose', {
      procedureId: 'quick',
      baseHash,
      changes: [{ path: VOLTS_UPPER, value: 1.4 }],
      reason: 'mid-run',
    });
    await o.t.ended(runId, 20_000);
    const rec = await o.t.record(runId);
    expect(rec.procedure.hash).toBe(baseHash);
    expect(volts(rec).outcome).toBe('PASS');
    await loaded(o, res.hash!);
    expect((await runOnce(o, 'Q-4')).procedure.hash).toBe(res.hash);
  });

  test('a file edit on disk is procedure.changedOutside with its diff', async () => {
    const o = await open();
    writeFileSync(o.yaml, readFileSync(o.yaml, 'utf8').replace('upper: 2', 'upper: 2.5'));
    const [outside] = await trail(o, 'procedure.changedOutside');
    expect(outside!.actor).toBe('outside');
    expect(outside!.details).toMatchObject({ words: ['second · volts upper 2 V → 2.5 V'], files: [] });
  });

  test('with approval on, a file edit on disk waits as a draft while the approved version keeps running', async () => {
    const o = await open({ procedureChangesNeedApproval: true });
    const baseHash = await hashOf(o);
    writeFileSync(o.yaml, readFileSync(o.yaml, 'utf8').replace('upper: 2', 'upper: 1.4'));
    const [outside] = await trail(o, 'procedure.changedOutside');
    expect(outside!.details).toMatchObject({ awaitingApproval: true, words: ['second · volts upper 2 V → 1.4 V'] });
    const rec = await runOnce(o, 'Q-5');
    expect(rec.procedure.hash).toBe(baseHash);
    expect(volts(rec).outcome).toBe('PASS');
    // The approved copy loading again is no change of its own.
    expect(await trail(o, 'procedure.changedOutside')).toHaveLength(1);
    const [draft] = (await o.must<{ drafts: ProcedureDraft[] }>('procedures.drafts', { procedureId: 'quick' })).drafts;
    expect(draft).toMatchObject({ kind: 'outside', state: 'pending', author: 'outside' });
    const ok = await o.must<{ hash: string }>('procedures.approve', { draftId: draft!.id, supervisorId: SECOND.badge, pin: SECOND.pin });
    expect(ok.hash).toBe(draft!.hash);
    await loaded(o, ok.hash);
    const after = await runOnce(o, 'Q-6');
    expect(after.procedure.hash).toBe(ok.hash);
    expect(volts(after).outcome).toBe('FAIL');
  });

  test('with approval on, a folder edited while the station was down waits as a draft: the version that ran last starts again', async () => {
    const seq = tempDir('passline-seq-');
    const data = tempDir('passline-data-');
    cleanups.push(seq.remove, data.remove);
    cpSync(join(FIXTURE_SEQUENCES, 'quick'), join(seq.dir, 'quick'), { recursive: true });
    const settings = { procedureChangesNeedApproval: true };
    const first = await openTestStation({ procedureId: 'quick', sequenceFolder: seq.dir, dataDir: data.dir, settings });
    const ran = first.station.snapshot().procedure!.hash;
    await first.station.ready();
    await sleep(300);
    await first.close({ keepData: true });
    const yaml = join(seq.dir, 'quick', 'procedure.yaml');
    writeFileSync(yaml, readFileSync(yaml, 'utf8').replace('upper: 2', 'upper: 1.4'));
    const t = await openTestStation({ procedureId: 'quick', sequenceFolder: seq.dir, dataDir: data.dir, settings });
    cleanups.push(() => t.close({ keepData: true }));
    expect(t.station.snapshot().procedure!.hash).toBe(ran);
    const invoke: Invoke = (name, input) => t.station.invoke(name, input);
    await loginAs(invoke, 'supervisor');
    const drafts = await invoke('procedures.drafts', { procedureId: 'quick' });
    expect(drafts).toMatchObject({ ok: true, value: { drafts: [{ kind: 'outside', state: 'pending', baseHash: ran }] } });
  });

  test('rollback restores the old limit as a new version; a version whose code differs is refused naming the files', async () => {
    const o = await open();
    const first = await hashOf(o);
    const res = await o.must<ProcedureChangeResult>('procedures.propose', {
      procedureId: 'quick',
      baseHash: first,
      changes: [{ path: VOLTS_UPPER, value: 1.4 }],
      reason: 'tighter',
    });
    await loaded(o, res.hash!);
    const back = await o.must<ProcedureChangeResult>('procedures.rollback', { procedureId: 'quick', toHash: first, reason: 'too many false fails' });
    expect(back).toMatchObject({ state: 'applied', version: '1.0.2' });
    expect(back.diff.map((d) => d.words)).toEqual(['second · volts upper 1.4 V → 2 V']);
    expect(readFileSync(o.yaml, 'utf8')).toMatch(/upper: 2\n/);
    await loaded(o, back.hash!);
    const rec = await runOnce(o, 'Q-7');
    expect(rec.procedure.version).toBe('1.0.2');
    expect(volts(rec).outcome).toBe('PASS');
    expect(await trail(o, 'procedure.rolledBack')).toHaveLength(1);
    const again = await o.invoke('procedures.rollback', { procedureId: 'quick', toHash: first, reason: 'once more' });
    expect(again.ok ? '' : again.error.message).toMatch(/nothing to roll back/);
    // Code edited on disk since: that first version cannot come back through the app.
    const phases = join(o.seq, 'quick', 'phases.ts');
    writeFileSync(phases, `${readFileSync(phases, 'utf8')}\n// edited\n`);
    await trail(o, 'procedure.changedOutside');
    const refused = await o.invoke('procedures.rollback', { procedureId: 'quick', toHash: first, reason: 'once more' });
    expect(refused).toMatchObject({ ok: false, error: { kind: 'invalid-input', details: { files: ['phases.ts'] } } });
  });

  test('two sockets run two procedures at once; the choice is kept in the settings', async () => {
    const o = await open({ sockets: 2 }, (seq) => {
      cpSync(join(seq, 'quick'), join(seq, 'other'), { recursive: true });
      const y = join(seq, 'other', 'procedure.yaml');
      writeFileSync(y, readFileSync(y, 'utf8').replace('id: quick', 'id: other').replace('name: Quick fixture', 'name: Other fixture'));
      cpSync(join(seq, 'quick'), join(seq, 'broken'), { recursive: true });
      writeFileSync(join(seq, 'broken', 'procedure.yaml'), "# broken on purpose\nid: broken\nname: Broken\nversion: '1'\nphases: []\n");
    });
    const list = await o.must<{ procedures: { id: string; sockets: number[]; error: unknown }[] }>('procedures.list', {});
    expect(list.procedures.map((p) => [p.id, p.sockets, p.error])).toEqual([
      [
        'broken',
        [],
        {
          message: expect.stringMatching(/a procedure needs at least one phase/),
          file: expect.stringMatching(/broken[\\/]procedure\.yaml$/),
          line: 5,
          field: 'phases',
        },
      ],
      ['other', [], null],
      ['quick', [0, 1], null],
    ]);
    await o.must('procedures.assign', { socket: 1, procedureId: 'other' });
    const otherHash = (await o.must<{ hash: string }>('procedures.get', { procedureId: 'other' })).hash;
    await loaded(o, otherHash, 1);
    // The snapshot names each socket's procedure (the screens show it per socket).
    const snap = await o.must<{ sockets: { procedure?: { id: string; name: string } }[] }>('station.snapshot', {});
    expect(snap.sockets.map((s) => s.procedure?.name)).toEqual(['Quick fixture', 'Other fixture']);
    const a = await o.invoke('run.start', { serialNumber: 'Q-10', socket: 0, params: { delayMs: 300 } });
    const b = await o.invoke('run.start', { serialNumber: 'Q-11', socket: 1, params: { delayMs: 300 } });
    if (!a.ok || !b.ok) throw new Error('refused');
    const ids = [(a.value as { runId: string }).runId, (b.value as { runId: string }).runId];
    await Promise.all(ids.map((id) => o.t.ended(id, 20_000)));
    const recs = await Promise.all(ids.map((id) => o.t.record(id)));
    expect(recs.map((r) => r.procedure.id)).toEqual(['quick', 'other']);
    // They overlapped.
    expect(Date.parse(recs[1]!.startedAt) < Date.parse(recs[0]!.endedAt!)).toBe(true);
    const saved = JSON.parse(readFileSync(join(o.t.dataDir, 'settings.json'), 'utf8')) as { socketProcedures: string[] };
    expect(saved.socketProcedures).toEqual(['quick', 'other']);
    expect(await trail(o, 'procedure.assigned')).toHaveLength(1);
  });

  test("an operator's session is refused every procedures command that changes something, naming the role", async () => {
    const o = await open();
    await loginAs(o.invoke, 'operator');
    const baseHash = '0'.repeat(64);
    const inputs: Record<string, unknown> = {
      'procedures.assign': { socket: 0, procedureId: 'quick' },
      'procedures.propose': { procedureId: 'quick', baseHash, changes: [{ path: VOLTS_UPPER, value: 1 }], reason: 'sneaky' },
      'procedures.approve': { draftId: 'x', supervisorId: ADMIN.badge, pin: ADMIN.pin },
      'procedures.reject': { draftId: 'x', reason: 'sneaky' },
      'procedures.rollback': { procedureId: 'quick', toHash: baseHash, reason: 'sneaky' },
    };
    for (const [name, input] of Object.entries(inputs)) {
      const r = await o.invoke(name, input);
      expect(r, name).toMatchObject({ ok: false, error: { kind: 'forbidden' } });
      expect(r.ok ? '' : r.error.message, name).toMatch(/supervisor/);
    }
  });
});
