#!/usr/bin/env node
// `npm run station` / `npx passline-station [--data-dir D] [--port P] …`: the headless station
// (electron/server/main.ts) in this process, with Node's compile cache on before any of it
// loads (TypeScript is stripped once, not per start).
const [major] = process.versions.node.split('.').map(Number);
if (major < 24) {
  console.error(`passline-station: needs Node 24 or newer (this is ${process.version}); run it through npm: npm run station`);
  process.exit(2);
}
const { enableCompileCache } = await import('node:module');
const { tmpdir } = await import('node:os');
const { join } = await import('node:path');
// The same folder as electron/station/boot.ts's startCompileCache().
process.env.NODE_COMPILE_CACHE ||= join(tmpdir(), 'passline-compile-cache');
enableCompileCache(process.env.NODE_COMPILE_CACHE);
await import('../electron/server/main.ts');
