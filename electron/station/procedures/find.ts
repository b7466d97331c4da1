/**
 * Which folder of a sequences folder holds the procedure with a given id. Only Node's own
 * modules here: the CLI's launcher uses it to tell its early runner what to load before the
 * rest of the CLI has loaded (runner/fork.ts); load.ts's findProcedureDir adds the messages.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

export const PROCEDURE_FILE = 'procedure.yaml';

/**
 * The top-level `id:` of a procedure file without parsing it all, when it is written
 * plainly on one line (as every procedure does); null when it is not, and the caller parses.
 */
export function plainTopLevelId(text: string): string | null {
  const lines = [...text.matchAll(/^id:[ \t]*(?:"([^"\\\n]*)"|'([^'\n]*)'|([^\s#'"][^\n#]*?))[ \t]*(?:#[^\n]*)?$/gm)];
  if (lines.length !== 1 || /^---/m.test(text)) return null;
  const m = lines[0]!;
  return m[1] ?? m[2] ?? m[3] ?? null;
}

/**
 * The folders under `root` (in name order) whose procedure.yaml has the id `id`. A file whose
 * id is not on a plain line is read by `idOf`; without it the answer is null (not known).
 * Throws when `root` cannot be read. Synchronous (a few small files): the CLI's launcher asks
 * before it starts loading the CLI, and waits for nothing.
 */
export function foldersWithId(root: string, id: string, idOf?: (text: string) => unknown): string[] | null {
  const entries = readdirSync(root);
  const found: string[] = [];
  for (const name of entries.sort()) {
    const dir = join(root, name);
    let text: string;
    try {
      if (!statSync(dir).isDirectory()) continue;
      text = readFileSync(join(dir, PROCEDURE_FILE), 'utf8');
    } catch {
      continue; // not a procedure folder
    }
    const plain = plainTopLevelId(text);
    if (plain === null && !idOf) return null;
    try {
      if ((plain ?? idOf!(text)) === id) found.push(dir);
    } catch {
      /* not a procedure file */
    }
  }
  return found;
}
