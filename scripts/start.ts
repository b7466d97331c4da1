/**
 * `npm start`: the desktop app through Electron Forge when the Electron runtime is installed;
 * otherwise (an offline machine: the runtime cannot be downloaded) one line saying so, then
 * the same UI served by the headless station. Never loads `electron` itself.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadSettings } from '#station/settings/settings.ts';
import { ensureStationBuilt, ensureUiBuilt } from './ensure-built.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);

/**
 * The `electron` package records where its download went in path.txt; both must exist.
 * ELECTRON_OVERRIDE_DIST_PATH (a runtime copied in by hand) counts too, as it does for electron.
 */
function electronRuntimePresent(): boolean {
  const pathTxt = join(root, 'node_modules', 'electron', 'path.txt');
  const rel = existsSync(pathTxt) ? readFileSync(pathTxt, 'utf8').trim() : '';
  const override = process.env.ELECTRON_OVERRIDE_DIST_PATH;
  if (override) return existsSync(join(override, rel || 'electron'));
  return rel !== '' && existsSync(join(root, 'node_modules', 'electron', 'dist', rel));
}

function forward(child: ChildProcess): void {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => process.exit(code ?? (signal === 'SIGINT' ? 130 : signal === 'SIGTERM' ? 143 : 1)));
  child.on('error', (e) => {
    console.error(`Passline: could not start ${child.spawnfile}: ${e.message}`);
    process.exit(1);
  });
}

/** Where the headless station will listen: --host/--port if given, else its settings file. */
function listenAddress(): string {
  const { values } = parseArgs({ args, strict: false, options: { 'data-dir': { type: 'string' }, host: { type: 'string' }, port: { type: 'string' } } });
  // The same default as electron/server/main.ts (importing that file would start a station).
  const dataDir =
    typeof values['data-dir'] === 'string'
      ? values['data-dir']
      : (process.env.PASSLINE_DATA_DIR ?? join(process.env.XDG_DATA_HOME ?? join(homedir(), '.local', 'share'), 'passline'));
  const { settings } = loadSettings(dataDir);
  const host = typeof values.host === 'string' ? values.host : settings.listenHost;
  const port = typeof values.port === 'string' ? values.port : String(settings.listenPort);
  return `http://${host.includes(':') ? `[${host}]` : host}:${port === '0' ? '<a free port>' : port}`;
}

if (electronRuntimePresent()) {
  // The desktop app's station forks its runners from dist/station when it is up to date.
  await ensureStationBuilt();
  const forge = join(root, 'node_modules', '.bin', process.platform === 'win32' ? 'electron-forge.cmd' : 'electron-forge');
  forward(spawn(forge, ['start', ...(args.length ? ['--', ...args] : [])], { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' }));
} else {
  console.log(`Passline: Electron runtime not available on this machine (no download possible); serving the same UI headless at ${listenAddress()}`);
  ensureUiBuilt();
  await ensureStationBuilt();
  forward(spawn(process.execPath, [join(root, 'bin', 'passline-station.js'), ...args], { cwd: root, stdio: 'inherit' }));
}
