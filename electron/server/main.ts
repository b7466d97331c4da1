/**
 * The headless station: `npm run station`. Serves the built UI and the WebSocket
 * API on 127.0.0.1 (settings.listenHost), with the station in this process.
 * This file only switches on Node's compile cache before anything else loads, so
 * the next start reuses compiled modules (Node checks them against the sources).
 */
import { enableCompileCache } from 'node:module';

enableCompileCache();
// A stop that comes while the modules load is a clean exit (no runner exists yet); headless.ts
// replaces these with its own as soon as it runs.
const early = (): never => process.exit(0);
process.on('SIGINT', early);
process.on('SIGTERM', early);
await import('./headless.ts');
