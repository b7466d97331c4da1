/**
 * The headless station: `npm run station` (bin/passline-station.js), or
 * `node electron/server/main.ts`. Serves the built UI and the WebSocket API on 127.0.0.1
 * (settings.listenHost), with the station in this process (headless.ts). This file only
 * does what must come before that loads: Node's compile cache on, a runner started while
 * the station loads and opens its store (runner/fork.ts), then the station itself,
 * prebuilt when dist/station is fresh (boot.ts), else from its sources.
 */
import { pathToFileURL } from 'node:url';
import { holdYoungGeneration, prebuilt, startCompileCache } from '#station/boot.ts';
import { startSpareRunner } from '#station/runner/fork.ts';

startCompileCache();
// A stop that comes while the modules load is a clean exit (the spare runner sees its
// channel close and goes too); once headless.ts handles signals itself it says so here.
const TAKEN = Symbol.for('passline.headless.signals');
const early = (): void => {
  if (!(globalThis as { [TAKEN]?: boolean })[TAKEN]) process.exit(0);
};
process.on('SIGINT', early);
process.on('SIGTERM', early);
startSpareRunner();
const bundle = prebuilt('headless');
// Until the station is ready (headless.ts releases it; boot.ts). Prebuilt only: the sources
// are shared with the runner's process, which keeps V8's flags.
if (bundle) holdYoungGeneration();
await import(bundle ? pathToFileURL(bundle).href : './headless.ts');
