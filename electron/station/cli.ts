/**
 * `passline …` (bin/passline.js, `npm run passline`): the command line, cli-main.ts. This
 * file only does what must come before that loads: Node's compile cache on, and for
 * `passline run` a runner started and loading the procedure folder while the CLI loads and
 * opens its store (runner/fork.ts), then the CLI itself, prebuilt when dist/station is
 * fresh (boot.ts), else from its sources.
 */
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { holdYoungGeneration, prebuilt, startCompileCache } from './boot.ts';
import { prepareSpareRunner, startSpareRunner } from './runner/fork.ts';
import { RUN_OPTIONS, procedureDirOf } from './cli-run-options.ts';
import { foldersWithId } from './procedures/find.ts';

startCompileCache();

/** The folder `passline run` will load, when it can be told now (else the CLI says why, later). */
function prepareRun(args: string[]): void {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, strict: false, options: RUN_OPTIONS });
  const arg = positionals[1];
  if (values.help || !arg) return;
  const dir = procedureDirOf(arg, typeof values.sequences === 'string' ? values.sequences : undefined, (root, id) => {
    const found = foldersWithId(root, id);
    return found?.length === 1 ? found[0]! : null;
  });
  if (dir === null) return;
  const s = Number(values['load-timeout']);
  prepareSpareRunner({ dir, ...(values['load-timeout'] !== undefined && s >= 0.1 && s <= 600 ? { loadTimeoutMs: Math.round(s * 1000) } : {}) });
}

const args = process.argv.slice(2);
const bundle = prebuilt('cli');
if (args[0] === 'run' && !args.includes('--help') && !args.includes('-h')) {
  startSpareRunner();
  // One unit, then exit: the young generation stays small (boot.ts; no slower here). Prebuilt
  // only: the sources are shared with the runner's process, which keeps V8's flags.
  if (bundle) holdYoungGeneration();
  try {
    prepareRun(args);
  } catch {
    /* the CLI says what is wrong */
  }
}
await import(bundle ? pathToFileURL(bundle).href : './cli-main.ts');
