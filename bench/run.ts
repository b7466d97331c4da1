/**
 * `npm run bench [-- <prefix>]`: runs every figure in bench/figures (one file per
 * figure, named after it) in its own process and passes on the JSON line it prints.
 */
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

const dir = fileURLToPath(new URL('./figures', import.meta.url));
const prefixes = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.ts'))
  .sort()
  .filter((f) => prefixes.length === 0 || prefixes.some((p) => f.startsWith(p)));

if (files.length === 0) {
  console.error(`no figure starts with ${prefixes.join(' or ')}; figures: ${readdirSync(dir).map((f) => f.replace(/\.ts$/, '')).join(', ')}`);
  process.exit(2);
}

let failed = 0;
for (const f of files) {
  const code = await new Promise<number>((resolve) => {
    const child = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', '--expose-gc', join(dir, f)], { stdio: ['ignore', 'inherit', 'inherit'] });
    child.on('exit', (c) => resolve(c ?? 1));
  });
  if (code !== 0) {
    failed++;
    console.error(`bench ${f} exited with ${code}`);
  }
}
process.exit(failed ? 1 : 0);
