/**
 * `npm run bench [-- <prefix> ...]`: runs the figure files in bench/figures, each in its
 * own process, and passes on the JSON lines they print. A file is named after its main
 * figure but may report more (store.ready_100k_ms also gives store.search_serial_ms and
 * history.first_render_ms), so a prefix selects files by the figures they report, and
 * the file is told (PASSLINE_BENCH_ONLY) which figures to measure and print.
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { figuresIn } from './lib/report.ts';
import { ensureStationBuilt, ensureUiBuilt } from '../scripts/ensure-built.ts';

const dir = fileURLToPath(new URL('./figures', import.meta.url));
const prefixes = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const all = readdirSync(dir)
  .filter((f) => f.endsWith('.ts'))
  .sort()
  .map((f) => ({ file: f, figures: figuresIn(readFileSync(join(dir, f), 'utf8')) }));
const chosen = all
  .map(({ file, figures }) => ({ file, figures: figures.filter((n) => prefixes.length === 0 || prefixes.some((p) => n.startsWith(p))) }))
  .filter((f) => f.figures.length > 0);

if (chosen.length === 0) {
  console.error(`no figure starts with ${prefixes.join(' or ')}; figures: ${all.flatMap((f) => f.figures).join(', ')}`);
  process.exit(2);
}

// What the figures run: the UI (event.to_dom_p99_ms, history.first_render_ms) and the station's
// prebuilt JavaScript (every figure that starts a CLI, a station or a runner), when out of date.
ensureUiBuilt();
await ensureStationBuilt();

let failed = 0;
for (const { file, figures } of chosen) {
  const code = await new Promise<number>((resolve) => {
    const child = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', '--expose-gc', join(dir, file)], {
      stdio: ['ignore', 'inherit', 'inherit'],
      env: { ...process.env, PASSLINE_BENCH_ONLY: figures.join(',') },
    });
    child.on('exit', (c) => resolve(c ?? 1));
  });
  if (code !== 0) {
    failed++;
    console.error(`bench ${file} exited with ${code}`);
  }
}
process.exit(failed ? 1 : 0);
