/**
 * What a Passline process does before it loads anything else: Node's compile cache on, and
 * the choice between the station's prebuilt JavaScript and its TypeScript sources.
 *
 * The prebuilt bundles (`npm run build:station` → dist/station/, see scripts/build-station.ts)
 * are the same modules, bundled and stripped of types: one file to read instead of some
 * 300, no type stripping, zod without its 50 locales. They run only when they were built
 * from the sources as they are now: dist/station/manifest.json names every input with its
 * size and modification time, and one that differs (an edit, a checkout, `npm ci`) means the
 * sources run, as they do when nothing was built. PASSLINE_PREBUILT=off runs the sources
 * always. This file imports only Node's own modules: it is loaded by every entry point first.
 */
import { readFileSync, statSync } from 'node:fs';
import { enableCompileCache } from 'node:module';
import { setFlagsFromString } from 'node:v8';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const PREBUILT_DIR = join(ROOT, 'dist', 'station');
export const MANIFEST = 'manifest.json';

/** The bundles dist/station holds, by the source file each one stands for. */
export const PREBUILT_ENTRIES = {
  cli: 'electron/station/cli-main.ts',
  headless: 'electron/server/headless.ts',
  'runner-child': 'electron/station/runner/runner-child.ts',
  'parent-watch': 'electron/station/runner/parent-watch.ts',
} as const;
export type PrebuiltEntry = keyof typeof PREBUILT_ENTRIES;

export interface Manifest {
  /** Bundle file (in dist/station) by entry. */
  entries: Record<PrebuiltEntry, string>;
  /** Every file the bundles were built from, relative to the project: [path, size, mtimeMs]. */
  inputs: [string, number, number][];
}

/**
 * Compiled code (and, for TypeScript, the stripped source) is kept between processes, keyed
 * by the file's content: a CLI run or a station start after the first compiles nothing. One
 * folder for every Passline process (the runner inherits it through NODE_COMPILE_CACHE).
 */
export function startCompileCache(): void {
  const dir = process.env.NODE_COMPILE_CACHE || join(tmpdir(), 'passline-compile-cache');
  process.env.NODE_COMPILE_CACHE = dir;
  try {
    enableCompileCache(dir);
  } catch {
    /* no cache (a read-only temp folder): everything compiles as usual */
  }
}

/** Whether every input of `m` (paths relative to `root`) is as it was when the bundles were built. */
export function inputsUnchanged(m: Manifest, root: string = ROOT): boolean {
  for (const [path, size, mtimeMs] of m.inputs) {
    const st = statSync(join(root, path), { throwIfNoEntry: false });
    if (!st || st.size !== size || st.mtimeMs !== mtimeMs) return false;
  }
  return true;
}

let checked: Manifest | null | undefined;

/** The manifest when every input is as it was built, else null (checked once per process: about 1 ms). */
function freshManifest(): Manifest | null {
  if (checked !== undefined) return checked;
  checked = null;
  if (process.env.PASSLINE_PREBUILT === 'off') return null;
  try {
    const m = JSON.parse(readFileSync(join(PREBUILT_DIR, MANIFEST), 'utf8')) as Manifest;
    if (inputsUnchanged(m)) checked = m;
  } catch {
    /* not built, or half written: the sources run */
  }
  return checked;
}

/** The bundle to run for `entry` (a path), or null when the sources should run. */
export function prebuilt(entry: PrebuiltEntry): string | null {
  const file = freshManifest()?.entries[entry];
  return file ? join(PREBUILT_DIR, file) : null;
}

/**
 * V8 grows its young generation (up to 16 MiB) while start-up allocates what then lives on
 * (the store, the procedure, schemas), and keeps it: about 10 MiB of a process's memory for
 * nothing. Held at its first 2 MiB until releaseYoungGeneration() (the station once it is
 * ready), or for good (`passline run`, one unit then exit); from then on it grows as it
 * always does. While a flag differs from V8's default, the compile cache's entries made by
 * a process that kept the defaults do not match, and theirs not ours: so only processes that
 * load files no other kind of process loads call it (the prebuilt CLI and station; the
 * runner's bundles are separate files, scripts/build-station.ts).
 */
export function holdYoungGeneration(): void {
  setFlagsFromString('--semi-space-growth-factor=1');
}

export function releaseYoungGeneration(): void {
  // V8's own default.
  setFlagsFromString('--semi-space-growth-factor=2');
}
