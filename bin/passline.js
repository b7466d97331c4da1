#!/usr/bin/env node
// `npx passline …` from the project: the CLI is TypeScript run by Node 24's type stripping.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const [major] = process.versions.node.split('.').map(Number);
if (major < 24) {
  console.error(`passline: needs Node 24 or newer (this is ${process.version}); run it through npm: npm run passline -- run …`);
  process.exit(2);
}
const cli = fileURLToPath(new URL('../electron/station/cli.ts', import.meta.url));
const r = spawnSync(process.execPath, ['--disable-warning=ExperimentalWarning', cli, ...process.argv.slice(2)], { stdio: 'inherit' });
process.exit(r.status ?? 2);
