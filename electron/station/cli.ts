/**
 * `passline …` (bin/passline.js, `npm run passline`): the command line, cli-main.ts. This
 * file only does what must come before it loads: Node's compile cache on, a runner started
 * for `passline run` while the CLI loads and opens its store (runner/fork.ts), then the CLI
 * itself, prebuilt when dist/station is fresh (boot.ts), else from its sources.
 */
import { pathToFileURL } from 'node:url';
import { prebuilt, startCompileCache } from './boot.ts';
import { startSpareRunner } from './runner/fork.ts';


startCompileCache();
const args = process.argv.slice(2);
if (args[0] === 'run' && !args.includes('--help') && !args.includes('-h')) startSpareRunner();

const bundle = prebuilt('cli');
await import(bundle ? pathToFileURL(bundle).href : './cli-main.ts');
