/**
 * A settings file with a mistake keeps the station on its last good settings and says so:
 * real files in a temp data folder, a real station (its snapshot, log and audit trail), and
 * the headless station as a child process, as a supervisor's typo would meet them.
 */
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import type { AuditEntry } from '#contract/audit.ts';
import type { StationSnapshot } from '#contract/commands.ts';
import { createStation } from '#station/station.ts';
import { LAST_GOOD_FILE, loadSettings } from '#station/settings/settings.ts';
import { loginAs, type Invoke } from '../helpers/people.ts';
import { FIXTURE_SEQUENCES, tempDir } from '../helpers/paths.ts';
import { startHeadless } from '../helpers/headless.ts';
import { ApiClient } from '../helpers/ws.ts';

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function dataDir(): string {
  const d = tempDir('passline-settings-');
  cleanups.push(d.remove);
  return d.dir;
}

// Disabled, so nothing tries to deliver; the targets still stand in the settings and the queue status.
const TARGETS = [
  { id: 'mes', kind: 'http', url: 'http://127.0.0.1:9/runs', enabled: false },
  { id: 'lake', kind: 'folder', path: '/srv/passline-drop', enabled: false },
];
const BASE = { stationName: 'Line 2', sequenceFolder: FIXTURE_SEQUENCES, procedureId: 'quick' };
const ISO = '\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z';
const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function writeSettings(dir: string, value: unknown): string {
  const path = join(dir, 'settings.json');
  writeFileSync(path, typeof value === 'string' ? value : JSON.stringify(value, null, 2));
  return path;
}

const lastGoodCopy = (dir: string) => JSON.parse(readFileSync(join(dir, LAST_GOOD_FILE), 'utf8')) as { savedAt: string; settings: Record<string, unknown> };

/** A good file loads clean and leaves its last good copy. */
function seedGood(dir: string): void {
  writeSettings(dir, { ...BASE, uploadTargets: TARGETS });
  const good = loadSettings(dir);
  expect(good.problems).toEqual([]);
  expect(good.clean).toBe(true);
}

describe('settings: the last good copy', () => {
  test('a good file is kept as the last good copy (atomically: no temp file left), and only rewritten when it changes', () => {
    const dir = dataDir();
    seedGood(dir);
    const copy = lastGoodCopy(dir);
    expect(copy.savedAt).toMatch(new RegExp(`^${ISO}$`));
    expect(copy.settings).toMatchObject({ stationName: 'Line 2', uploadTargets: [{ id: 'mes' }, { id: 'lake' }] });
    expect(readdirSync(dir).sort()).toEqual(['settings.json', LAST_GOOD_FILE]);
    // The same settings again: the copy keeps its time (good since then).
    expect(loadSettings(dir).problems).toEqual([]);
    expect(lastGoodCopy(dir).savedAt).toBe(copy.savedAt);
    // Another good file replaces it.
    writeSettings(dir, { ...BASE, stationName: 'Line 3', uploadTargets: TARGETS });
    expect(loadSettings(dir).problems).toEqual([]);
    expect(lastGoodCopy(dir).settings.stationName).toBe('Line 3');
  });

  test('a bad upload target URL keeps the last good targets; the problem names the file, the field, the fault and what was kept; the station shows, logs and audits it', async () => {
    const dir = dataDir();
    seedGood(dir);
    const savedAt = lastGoodCopy(dir).savedAt;
    // A typo in one target, and a good change elsewhere in the same file.
    const path = writeSettings(dir, { ...BASE, stationName: 'Line 9', uploadTargets: [{ ...TARGETS[0], url: 'htp://mes/runs' }, TARGETS[1]] });
    const loaded = loadSettings(dir);
    expect(loaded.clean).toBe(false);
    expect(loaded.settings.uploadTargets.map((t) => t.id)).toEqual(['mes', 'lake']);
    expect(loaded.settings.uploadTargets[0]).toMatchObject({ url: 'http://127.0.0.1:9/runs' });
    expect(loaded.settings.stationName).toBe('Line 9');
    expect(loaded.problems).toEqual([
      `${path}: uploadTargets.0.url: url must be an http:// or https:// URL — kept the last good uploadTargets (2 targets: mes, lake) from ${savedAt}`,
    ]);
    // The bad file never becomes the last good copy.
    expect(lastGoodCopy(dir)).toMatchObject({ savedAt, settings: { stationName: 'Line 2' } });

    const logs: string[] = [];
    const station = await createStation({
      dataDir: dir,
      settings: loaded.settings,
      settingsProblems: loaded.problems,
      log: (level, message) => logs.push(`${level}: ${message}`),
    });
    cleanups.push(() => station.close());
    await station.ready();
    const snap = (await station.invoke('station.snapshot', {})) as { ok: true; value: StationSnapshot };
    expect(snap.value.settingsProblems).toEqual(loaded.problems);
    expect(snap.value.upload.targets.map((t) => t.id).sort()).toEqual(['lake', 'mes']);
    expect(logs).toContain(`error: settings: ${loaded.problems[0]}`);

    const invoke: Invoke = (name, input) => station.invoke(name, input);
    await loginAs(invoke, 'supervisor');
    const r = await invoke('audit.list', { action: 'settings.problem' });
    if (!r.ok) throw new Error(r.error.message);
    const entries = (r.value as { entries: AuditEntry[] }).entries;
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ actor: 'station', action: 'settings.problem', details: { problems: loaded.problems } });
  });

  test('a file that is not JSON: the whole last good copy is used, and said so', () => {
    const dir = dataDir();
    seedGood(dir);
    const savedAt = lastGoodCopy(dir).savedAt;
    const path = writeSettings(dir, '{ "stationName": "Line 4", "uploadTargets": [');
    const loaded = loadSettings(dir);
    expect(loaded.settings).toEqual(lastGoodCopy(dir).settings);
    expect(loaded.problems).toHaveLength(1);
    expect(loaded.problems[0]).toMatch(new RegExp(`^${escape(path)}: not valid JSON \\(.+\\) — kept the last good settings from ${escape(savedAt)}$`));
    // Left for a supervisor to repair, never overwritten.
    expect(readFileSync(path, 'utf8')).toBe('{ "stationName": "Line 4", "uploadTargets": [');
  });

  test('with no last good copy, a bad field takes its default and the problem says there was no copy', () => {
    const dir = dataDir();
    const path = writeSettings(dir, { ...BASE, uploadTargets: [{ ...TARGETS[0], url: 'ftp://mes/runs' }], listenPort: 'http' });
    const loaded = loadSettings(dir);
    expect(loaded.settings.uploadTargets).toEqual([]);
    expect(loaded.settings.listenPort).toBe(4780);
    expect(loaded.settings.stationName).toBe('Line 2');
    expect(loaded.problems).toEqual([
      `${path}: listenPort: Invalid input: expected number, received string — used the default listenPort (4780): there is no last good copy yet`,
      `${path}: uploadTargets.0.url: url must be an http:// or https:// URL — used the default uploadTargets (no targets): there is no last good copy yet`,
    ]);
    expect(existsSync(join(dir, LAST_GOOD_FILE))).toBe(false);
    // Not JSON and no copy: the defaults.
    writeSettings(dir, 'stationName = Line 2');
    expect(loadSettings(dir)).toMatchObject({
      settings: { stationName: 'Passline station', uploadTargets: [] },
      problems: [expect.stringMatching(/not valid JSON .* — used the defaults: there is no last good copy yet$/)],
    });
  });

  test('the headless station prints the problem and starts with the last good targets', async () => {
    const dir = dataDir();
    seedGood(dir);
    writeSettings(dir, { ...BASE, uploadTargets: [{ ...TARGETS[0], url: 'mes.local/runs' }, TARGETS[1]] });
    const h = await startHeadless({ dataDir: dir, sequences: FIXTURE_SEQUENCES, procedure: 'quick' });
    cleanups.push(() => h.stop());
    expect(h.output()).toMatch(
      /settings: .*settings\.json: uploadTargets\.0\.url: url must be an http:\/\/ or https:\/\/ URL — kept the last good uploadTargets \(2 targets: mes, lake\) from /,
    );
    const api = await ApiClient.asPage(`${h.wsUrl}/ws`);
    cleanups.push(() => api.close());
    const snap = (await api.invoke('station.snapshot', {})) as { ok: true; value: StationSnapshot };
    expect(snap.ok).toBe(true);
    expect(snap.value.upload.targets.map((t) => t.id).sort()).toEqual(['lake', 'mes']);
    expect(snap.value.settingsProblems).toEqual([expect.stringContaining('kept the last good uploadTargets (2 targets: mes, lake)')]);
  });
});
