import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** Fixture procedures: one folder each, procedure.yaml + phases.ts. */
export const FIXTURE_SEQUENCES = fileURLToPath(new URL('../fixtures/sequences', import.meta.url));
/** The sequences that ship with the app (the demo). */
export const SHIPPED_SEQUENCES = join(REPO_ROOT, 'sequences');

/** A fresh temporary folder and a function that removes it. */
export function tempDir(prefix = 'passline-test-'): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
