/**
 * Loads a procedure folder in a plain Node process and prints the result as JSON.
 *
 * Why a separate process: the runner loads phases.ts with Node's own type stripping.
 * Inside Vitest the same import() would go through Vite's transform instead, which
 * accepts other syntax and words its errors differently, so a test of the loader
 * must run where the runner runs.
 */
import { loadProcedure } from '#station/procedures/load.ts';
import { toStationError } from '#contract/errors.ts';

const dir = process.argv[2];
if (!dir) {
  console.error('usage: load-procedure-cli.ts <procedure folder>');
  process.exit(2);
}
try {
  const p = await loadProcedure(dir);
  process.stdout.write(JSON.stringify({ ok: true, value: p.summary }));
} catch (e) {
  process.stdout.write(JSON.stringify({ ok: false, error: toStationError(e) }));
}
