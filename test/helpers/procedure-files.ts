import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Result } from '#contract/errors.ts';
import type { ProcedureSummary } from '#contract/procedure.ts';

const CLI = fileURLToPath(new URL('./load-procedure-cli.ts', import.meta.url));

/** Writes a procedure folder (procedure.yaml + phases.ts) under `root` and returns its path. */
export function writeProcedure(root: string, name: string, yaml: string, phases: string): string {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'procedure.yaml'), yaml);
  writeFileSync(join(dir, 'phases.ts'), phases);
  return dir;
}

/** loadProcedure(dir) in a plain Node process, as the runner does it. */
export async function loadInNode(dir: string): Promise<Result<ProcedureSummary>> {
  const { stdout } = await promisify(execFile)(process.execPath, ['--disable-warning=ExperimentalWarning', CLI, dir], { timeout: 15_000 });
  return JSON.parse(stdout) as Result<ProcedureSummary>;
}
