/**
 * What `npm start`, `npm run bench` (bench/run.ts) and the tests need built, built when it is
 * missing or older than its sources: the UI (dist/renderer) and the station's prebuilt
 * JavaScript (dist/station, scripts/build-station.ts). Either is a no-op when up to date.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildStation } from './build-station.ts';

const root = fileURLToPath(new URL('..', import.meta.url));

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) newest = Math.max(newest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
  }
  return newest;
}

/** Builds the UI when it is missing or older than its sources (the renderer and the contract it imports). */
export function ensureUiBuilt(): void {
  const index = join(root, 'dist', 'renderer', 'index.html');
  const built = existsSync(index) ? statSync(index).mtimeMs : 0;
  const sources = Math.max(newestMtime(join(root, 'renderer')), newestMtime(join(root, 'electron', 'contract')));
  if (built >= sources) return;
  // npm sets npm_execpath when it runs us; fall back to npm on PATH.
  const npm = process.env.npm_execpath;
  const r = npm
    ? spawnSync(process.execPath, [npm, 'run', 'build:ui', '--silent'], { cwd: root, stdio: 'inherit' })
    : spawnSync('npm', ['run', 'build:ui', '--silent'], { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' });
  if (r.status !== 0) {
    console.error('Passline: the UI did not build (npm run build:ui failed); see above.');
    process.exit(r.status ?? 1);
  }
}

/** Builds dist/station when a source changed; a failed build is reported and the sources run instead. */
export async function ensureStationBuilt(): Promise<void> {
  try {
    const r = await buildStation();
    if (r === 'built') console.log('Passline: built the station (dist/station)');
  } catch (e) {
    console.error(`Passline: the station's prebuilt JavaScript did not build (${e instanceof Error ? e.message : String(e)}); running from the sources`);
  }
}
