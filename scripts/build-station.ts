/**
 * `npm run build:station`: the CLI, the headless station and the runner as plain JavaScript
 * in dist/station/ (electron/station/boot.ts says when they run instead of the sources).
 * `npm start`, `npm test`, `npm run station` and `npm run bench` run it first; it takes
 * about a second and rebuilds only when a source changed (`--force` rebuilds anyway).
 *
 * What the bundles change and what they do not:
 * - zod, yaml and uuid are bundled (zod without the locales nothing imports); packages with
 *   native parts or optional native helpers (serialport, pg, ws) and the TypeScript compiler
 *   stay imports, loaded from node_modules when used.
 * - Each module keeps its own `import.meta.url`: it is rewritten to the URL of the source
 *   file, so a path a module finds relative to itself (package.json, the shipped sequences,
 *   the watchdog thread's file, the UI's build) is the same from the bundle as from the source.
 * - Phase code (a procedure's phases.ts) is never bundled: the runner imports it at run time.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Plugin } from 'rolldown';
import { MANIFEST, PREBUILT_DIR, PREBUILT_ENTRIES, prebuilt, type Manifest, type PrebuiltEntry } from '#station/boot.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const rel = (p: string): string => relative(ROOT, p).split(sep).join('/');

/** Loaded from node_modules at run time (native bindings, optional native helpers, the compiler). */
const EXTERNAL = [/^node:/, /^(typescript|serialport|pg|pg-[\w-]+|ws|electron|electron-store|conf)(\/|$)/, /^@serialport\//];

/** Files that change what the bundles are without being in them. */
const ALSO_INPUTS = ['package.json', 'scripts/build-station.ts'];

/** `import.meta.url` of each module as it is in the sources: see the header. */
function sourceUrls(outDir: string): Plugin {
  return {
    name: 'passline:source-import-meta-url',
    transform(code, id) {
      if (!id.startsWith(ROOT) || !/import\.meta\./.test(code)) return null;
      if (/import\.meta\.(dirname|filename|resolve)\b/.test(code))
        throw new Error(`${rel(id)}: use new URL(…, import.meta.url); import.meta.dirname/filename/resolve would name the bundle, not this file`);
      const url = `new URL(${JSON.stringify(relative(outDir, id).split(sep).join('/'))}, import.meta.url).href`;
      return { code: code.replace(/\bimport\.meta\.url\b/g, url), map: null };
    },
  };
}

/** The project's package.json of the package a node_modules file belongs to (node_modules may be a link). */
function packageJsonOf(file: string): string {
  const parts = file.split(sep);
  const at = parts.lastIndexOf('node_modules');
  const name = parts.slice(at + 1, at + (parts[at + 1]!.startsWith('@') ? 3 : 2));
  return join(ROOT, 'node_modules', ...name, 'package.json');
}

function stamp(path: string): [string, number, number] {
  const st = statSync(join(ROOT, path));
  return [path, st.size, st.mtimeMs];
}

export async function buildStation(force = false): Promise<'built' | 'fresh'> {
  if (!force && Object.keys(PREBUILT_ENTRIES).every((e) => prebuilt(e as PrebuiltEntry) !== null)) return 'fresh';
  const tmp = `${PREBUILT_DIR}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(dirname(tmp), { recursive: true });
  // Loaded only to build: checking that the build is up to date needs none of it.
  const { rolldown } = await import('rolldown');
  const modules: string[] = [];
  // Two builds that share no file: the runner's (and its watchdog thread's) modules and the
  // CLI's and station's. A process that changes a V8 flag after start (boot.ts
  // holdYoungGeneration) gets compile-cache entries that no other process accepts, so a file
  // both loaded would be compiled again in each, every time.
  for (const [prefix, names] of [
    ['chunk', ['cli', 'headless']],
    ['runner', ['runner-child', 'parent-watch']],
  ] as const) {
    const input = Object.fromEntries(names.map((name) => [name, join(ROOT, PREBUILT_ENTRIES[name])]));
    const bundle = await rolldown({
      input,
      platform: 'node',
      external: EXTERNAL,
      // Same paths as the sources: the bundle is written where dist/station will be.
      plugins: [sourceUrls(PREBUILT_DIR)],
      logLevel: 'warn',
      onLog(level, log, handler) {
        // A warning is a build problem here: the bundles must equal the sources.
        if (level === 'warn') throw new Error(`build:station: ${log.message}`);
        handler(level, log);
      },
    });
    try {
      const out = await bundle.write({
        dir: tmp,
        format: 'esm',
        entryFileNames: '[name].js',
        // Flat: every file of dist/station sits at the same depth, which sourceUrls relies on.
        chunkFileNames: `${prefix}-[hash].js`,
        // Plain ASCII without comments: V8 keeps a one-byte source string of half the size, and
        // Node reads and decodes less at every start (the source maps keep the originals).
        charset: 'ascii',
        comments: false,
        sourcemap: true,
      });
      modules.push(...out.output.flatMap((o) => (o.type === 'chunk' ? o.moduleIds : [])));
    } finally {
      await bundle.close();
    }
  }
  const files = new Set<string>(ALSO_INPUTS);
  for (const id of modules) {
    // Rolldown's own helpers have ids that are not files.
    if (!existsSync(id)) continue;
    const file = id.includes(`${sep}node_modules${sep}`) ? packageJsonOf(id) : id;
    if (!file.startsWith(ROOT)) throw new Error(`build:station: ${id} is outside the project`);
    files.add(rel(file));
  }
  const manifest: Manifest = {
    entries: Object.fromEntries(Object.keys(PREBUILT_ENTRIES).map((e) => [e, `${e}.js`])) as Manifest['entries'],
    inputs: [...files].sort().map(stamp),
  };
  // Last, so a half-written folder is never taken for a build.
  writeFileSync(join(tmp, MANIFEST), JSON.stringify(manifest));
  rmSync(PREBUILT_DIR, { recursive: true, force: true });
  renameSync(tmp, PREBUILT_DIR);
  return 'built';
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1] === fileURLToPath(import.meta.url)) {
  const t0 = performance.now();
  try {
    const r = await buildStation(process.argv.includes('--force'));
    if (process.argv.includes('--verbose') || r === 'built')
      console.log(`build:station: ${r === 'built' ? 'built' : 'up to date'} (${Math.round(performance.now() - t0)} ms, ${rel(PREBUILT_DIR)})`);
  } catch (e) {
    console.error(`build:station failed: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  }
}
// Read by tests that check the manifest against the tree.
export const manifestPath = (): string => join(PREBUILT_DIR, MANIFEST);
export const readManifest = (): Manifest => JSON.parse(readFileSync(manifestPath(), 'utf8')) as Manifest;
