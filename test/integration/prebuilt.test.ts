/**
 * The station's prebuilt JavaScript (dist/station, scripts/build-station.ts): it runs only
 * when it was built from the sources as they are, it runs the same as the sources (a whole
 * `passline run`, CLI and runner), and without it the sources run.
 */
import { spawn } from 'node:child_process';
import { readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildStation, readManifest } from '../../scripts/build-station.ts';
import { PREBUILT_ENTRIES, inputsUnchanged, type Manifest } from '#station/boot.ts';
import type { StationEvent } from '#contract/events.ts';
import { REPO_ROOT, tempDir } from '../helpers/paths.ts';

const CLI = join(REPO_ROOT, 'bin/passline.js');

/** `passline run demo-board --json`, and the command line of each runner it started (read from /proc while it ran). */
function runDemo(env: Record<string, string>): Promise<{ code: number | null; events: StationEvent[]; runners: string[] }> {
  const child = spawn(process.execPath, [CLI, 'run', 'demo-board', '--serial', 'DEMO-0001', '--yes', '--json'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  const runners = new Set<string>();
  const look = setInterval(() => {
    try {
      for (const pid of readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean))
        runners.add(readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' '));
    } catch {
      /* not on Linux, or gone */
    }
  }, 20);
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  return new Promise((resolve) =>
    child.on('exit', (code) => {
      clearInterval(look);
      resolve({
        code,
        events: out
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l) as StationEvent),
        runners: [...runners],
      });
    }),
  );
}

/** What a run did, without what differs between any two runs (ids, times, seq numbers). */
function shape(events: StationEvent[]): unknown[] {
  return events
    .filter((e) => e.kind.startsWith('run.'))
    .map((e) =>
      e.kind === 'run.phaseEnded'
        ? { kind: e.kind, name: e.data.phase.name, outcome: e.data.phase.outcome, measurements: e.data.phase.measurements.map((m) => [m.name, m.outcome]) }
        : e.kind === 'run.ended'
          ? { kind: e.kind, outcome: e.data.outcome }
          : { kind: e.kind },
    );
}

let manifest: Manifest;
beforeAll(async () => {
  await buildStation();
  manifest = readManifest();
}, 120_000);

describe('prebuilt station', () => {
  it('has a bundle for every entry and names every source it was built from', () => {
    for (const entry of Object.keys(PREBUILT_ENTRIES)) expect(manifest.entries[entry as keyof typeof PREBUILT_ENTRIES]).toBe(`${entry}.js`);
    const inputs = manifest.inputs.map(([path]) => path);
    for (const src of Object.values(PREBUILT_ENTRIES)) expect(inputs).toContain(src);
    expect(inputs).toContain('electron/station/engine/engine.ts');
    expect(inputs).toContain('node_modules/zod/package.json');
    expect(inputsUnchanged(manifest)).toBe(true);
  });

  it('is not used once a source it was built from changed (its size or time)', () => {
    const dir = tempDir('passline-prebuilt-');
    const file = join(dir.dir, 'a.ts');
    const stamp = (): Manifest => {
      const st = statSync(file);
      return { entries: manifest.entries, inputs: [['a.ts', st.size, st.mtimeMs]] };
    };
    try {
      writeFileSync(file, 'export const a = 1;\n');
      const m = stamp();
      expect(inputsUnchanged(m, dir.dir)).toBe(true);
      // Same size, another time (an editor's save, a checkout).
      utimesSync(file, new Date(), new Date(Date.now() + 5000));
      expect(inputsUnchanged(m, dir.dir)).toBe(false);
      writeFileSync(file, 'export const a = 12;\n');
      expect(inputsUnchanged(stamp(), dir.dir)).toBe(true);
      expect(inputsUnchanged({ ...m, inputs: [['gone.ts', 1, 1]] }, dir.dir)).toBe(false);
    } finally {
      dir.remove();
    }
  });

  it.runIf(process.platform === 'linux')(
    'a passline run from the bundles (CLI and runner) does what the sources do',
    async () => {
      const fromBundle = await runDemo({});
      const fromSource = await runDemo({ PASSLINE_PREBUILT: 'off' });
      expect(fromBundle.code).toBe(0);
      expect(fromSource.code).toBe(0);
      expect(shape(fromBundle.events)).toEqual(shape(fromSource.events));
      expect(shape(fromBundle.events).length).toBeGreaterThan(10);
      // Which code ran: the runner's own command line says.
      expect(fromBundle.runners.some((c) => c.includes('dist/station/runner-child.js'))).toBe(true);
      expect(fromSource.runners.some((c) => c.includes('electron/station/runner/runner-child.ts'))).toBe(true);
      expect(fromSource.runners.some((c) => c.includes('dist/station'))).toBe(false);
    },
    60_000,
  );
});
