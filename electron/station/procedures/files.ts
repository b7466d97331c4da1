import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { extname, isAbsolute, join, relative, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { procedureData, procedureDocument } from './yaml-doc.ts';
import type { ProcedureFileEntry } from '#contract/records.ts';
import { PROCEDURE_FILE } from './find.ts';

export { PROCEDURE_FILE };
export const PHASES_FILE = 'phases.ts';

/**
 * What a procedure version is made of: every file of its folder that can change a result,
 * with its bytes, and the hash over them.
 *
 * Which files: procedure.yaml, the prompt images it names, phases.ts and every file of the
 * folder that phases.ts imports, followed from file to file (the import graph), not every
 * file in the folder. A README, a notes file or an editor's backup copy changes nothing a
 * run does, so it must not make a new version; a helper module or a JSON table that a
 * phase imports changes what the run does, so it must. The graph is read from the text
 * (`import … from '…'`, `export … from '…'`, `import '…'`, `import('…')` with a literal
 * path) without a parser: a match inside a comment or a string only adds a file to the
 * hash, never leaves one out, and the runner's module hooks (module-versions.ts) refuse to
 * load any file of the folder that is not listed here, so a path this reading cannot see
 * (an import with a computed name) is an error naming the file, never a silent gap.
 *
 * Not covered (docs/sequences.md says so): packages under node_modules, files read at run
 * time with fs instead of imported, and anything outside the folder (an import that leaves
 * the folder is refused when it loads).
 */
export interface ProcedureVersion {
  /** sha256 of the lines "<sha256>  <name>\n" of `files` in order: `sha256sum` of them, sorted, piped to sha256sum. */
  hash: string;
  /** Sorted by name (code-unit order, as `LC_ALL=C sort`); names are relative to the folder, with '/'. */
  files: ProcedureFileEntry[];
  /** The bytes that were hashed, by name: the runner serves these to Node, never a later read. */
  contents: Map<string, Buffer>;
}

/** Files whose imports are followed; anything else that is imported (JSON, WASM) is hashed as it is. */
const CODE = new Set(['.ts', '.mts', '.cts', '.js', '.mjs', '.cjs']);

const SPECIFIERS = [
  // import x from '…', import { a } from '…', export * from '…', export { a } from '…'
  /\bfrom\s*(['"])([^'"\r\n]+)\1/g,
  // import '…' (for its side effects)
  /\bimport\s*(['"])([^'"\r\n]+)\1/g,
  // import('…'), import(`…`) without a substitution
  /\bimport\s*\(\s*(['"`])([^'"`\r\n]+)\1/g,
];

/** The module specifiers a file's text names, in order of appearance per form. */
export function importSpecifiers(text: string): string[] {
  const out = new Set<string>();
  for (const re of SPECIFIERS) for (const m of text.matchAll(re)) if (!m[2]!.includes('${')) out.add(m[2]!);
  return [...out];
}

/** Whether `path` is a file of the folder itself: inside `dir`, not in a node_modules under it. */
function inFolder(path: string, dir: string): boolean {
  const rel = relative(dir, path);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) && !rel.split(sep).includes('node_modules');
}

/** A relative (or file:) specifier resolved as Node resolves it (a URL), to a file of the folder, or null. */
function resolveLocal(specifier: string, fromFile: string, dir: string): string | null {
  if (!/^(?:\.{1,2}\/|\/|file:)/.test(specifier)) return null;
  let path: string;
  try {
    path = fileURLToPath(new URL(specifier, pathToFileURL(fromFile)));
  } catch {
    return null;
  }
  return inFolder(path, dir) ? path : null;
}

/** The image files procedure.yaml's prompts name (read leniently: a broken file is refused by the loader, not here). */
function promptImages(yamlText: string): string[] {
  try {
    // A text with YAML errors: what the document still holds (the loader refuses the file anyway).
    const data = procedureData(yamlText)?.data ?? procedureDocument(yamlText).doc.toJS();
    const prompts = (data as { prompts?: unknown } | null | undefined)?.prompts;
    if (typeof prompts !== 'object' || prompts === null) return [];
    return Object.values(prompts as Record<string, unknown>)
      .map((p) => (typeof p === 'object' && p !== null ? (p as { image?: unknown }).image : undefined))
      .filter((i): i is string => typeof i === 'string');
  } catch {
    return [];
  }
}

const sha256 = (b: Buffer | string): string => createHash('sha256').update(b).digest('hex');

/** The hash of a file list, as ProcedureVersion.hash says: an auditor recomputes it with sha256sum. */
export function hashOfFiles(files: readonly ProcedureFileEntry[]): string {
  return sha256(files.map((f) => `${f.sha256}  ${f.name}\n`).join(''));
}

/**
 * Reads a procedure folder's version. `yamlBytes` is procedure.yaml as the loader parsed it,
 * so the hash is of the text that was read (an edit a moment later makes a new version).
 * Throws ENOENT when phases.ts is missing; a missing import or image is left to the
 * loader, which names it.
 */
export async function readProcedureVersion(dir: string, yamlBytes?: Buffer): Promise<ProcedureVersion> {
  const contents = new Map<string, Buffer>();
  const nameOf = (path: string) => relative(dir, path).split(sep).join('/');
  const yaml = yamlBytes ?? (await readFile(join(dir, PROCEDURE_FILE)));
  contents.set(PROCEDURE_FILE, yaml);
  for (const image of promptImages(yaml.toString('utf8'))) {
    // A path in the folder, as the loader checks it (not a URL: a name may hold '#' or '?').
    const path = join(dir, image);
    if (!inFolder(path, dir) || contents.has(nameOf(path))) continue;
    const bytes = await readIfFile(path);
    if (bytes) contents.set(nameOf(path), bytes);
  }
  const phases = join(dir, PHASES_FILE);
  const queue = [phases];
  contents.set(PHASES_FILE, await readFile(phases));
  while (queue.length > 0) {
    const file = queue.shift()!;
    if (!CODE.has(extname(file))) continue;
    for (const spec of importSpecifiers(contents.get(nameOf(file))!.toString('utf8'))) {
      const path = resolveLocal(spec, file, dir);
      if (!path || contents.has(nameOf(path))) continue;
      const bytes = await readIfFile(path);
      if (!bytes) continue;
      contents.set(nameOf(path), bytes);
      queue.push(path);
    }
  }
  const files = [...contents.entries()]
    .map(([name, bytes]) => ({ name, sha256: sha256(bytes) }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { hash: hashOfFiles(files), files, contents };
}

async function readIfFile(path: string): Promise<Buffer | null> {
  try {
    if (!(await stat(path)).isFile()) return null;
    return await readFile(path);
  } catch {
    return null;
  }
}
