import { createHash } from 'node:crypto';
import { readFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { LineCounter, parseDocument, isNode } from 'yaml';
import { ProcedureFileSchema, type ProcedureFile, type ProcedureSummary } from '#contract/procedure.ts';
import { StationFault } from '#contract/errors.ts';
import type { PhaseFn } from '#station/engine/sdk.ts';

export const PROCEDURE_FILE = 'procedure.yaml';
export const PHASES_FILE = 'phases.ts';

export interface LoadedProcedure {
  file: ProcedureFile;
  phases: Record<string, PhaseFn>;
  summary: ProcedureSummary;
}

/** Parses procedure.yaml; every error names the file, line and field. */
export function parseProcedureFile(text: string, fileName: string): ProcedureFile {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    const line = e.linePos?.[0]?.line ?? lineCounter.linePos(e.pos[0]).line;
    throw new StationFault('sequence.invalid', `${fileName}:${line}: ${e.message.split('\n')[0]}`, { file: fileName, line });
  }
  const parsed = ProcedureFileSchema.safeParse(doc.toJS());
  if (parsed.success) return parsed.data;
  const messages = parsed.error.issues.map((issue) => {
    // Walk up the path until a node with a position exists (a missing key has none).
    let path = issue.path as (string | number)[];
    let line: number | undefined;
    for (; ; path = path.slice(0, -1)) {
      const node = path.length ? doc.getIn(path, true) : doc.contents;
      if (isNode(node) && node.range) {
        line = lineCounter.linePos(node.range[0]).line;
        break;
      }
      if (path.length === 0) break;
    }
    const field = issue.path.length ? issue.path.join('.') : '(top level)';
    return `${fileName}:${line ?? 1}: ${field}: ${issue.message}`;
  });
  throw new StationFault('sequence.invalid', messages.join('\n'), { file: fileName, issues: messages });
}

export async function hashProcedure(dir: string): Promise<string> {
  const h = createHash('sha256');
  for (const name of [PROCEDURE_FILE, PHASES_FILE]) {
    h.update(name);
    h.update(await readFile(join(dir, name)));
  }
  return h.digest('hex');
}

/** Loads a procedure folder: procedure.yaml + phases.ts (transpiled by Node's type stripping). */
export async function loadProcedure(dir: string): Promise<LoadedProcedure> {
  const yamlPath = join(dir, PROCEDURE_FILE);
  const tsPath = join(dir, PHASES_FILE);
  let text: string;
  try {
    text = await readFile(yamlPath, 'utf8');
  } catch {
    throw new StationFault('sequence.invalid', `${yamlPath}: procedure file not found`, { file: yamlPath });
  }
  const file = parseProcedureFile(text, yamlPath);
  const hash = await hashProcedure(dir).catch(() => {
    throw new StationFault('sequence.invalid', `${tsPath}: phases file not found`, { file: tsPath });
  });
  let mod: Record<string, unknown>;
  try {
    // The hash in the URL makes an edited file load fresh instead of from the module cache.
    mod = (await import(`${pathToFileURL(tsPath).href}?v=${hash.slice(0, 16)}`)) as Record<string, unknown>;
  } catch (e) {
    const err = e as Error;
    const where = /:(\d+)/.exec(err.stack?.split('\n').find((l) => l.includes(tsPath)) ?? '')?.[1];
    throw new StationFault('sequence.invalid', `${tsPath}${where ? `:${where}` : ''}: ${err.message.split('\n')[0]}`, { file: tsPath });
  }
  const phases: Record<string, PhaseFn> = {};
  const missing: string[] = [];
  file.phases.forEach((p, i) => {
    const fn = mod[p.name];
    if (typeof fn === 'function') phases[p.name] = fn as PhaseFn;
    else missing.push(`${yamlPath}: phases.${i}.name: phase "${p.name}" is not exported by ${PHASES_FILE}`);
  });
  if (missing.length) throw new StationFault('sequence.invalid', missing.join('\n'), { file: yamlPath });
  return {
    file,
    phases,
    summary: {
      id: file.id,
      name: file.name,
      version: file.version,
      hash,
      ...(file.partNumber !== undefined ? { partNumber: file.partNumber } : {}),
      serialPattern: file.serialPattern,
      ...(file.serialExample !== undefined ? { serialExample: file.serialExample } : {}),
      phases: file.phases.map((p) => ({ name: p.name, ...(p.title !== undefined ? { title: p.title } : {}), group: p.group, enabled: p.enabled })),
      dir,
    },
  };
}

/** Finds a procedure folder by id under a sequences folder (folders holding a procedure.yaml). */
export async function findProcedureDir(root: string, id: string): Promise<string> {
  let entries: string[];
  try {
    entries = await readdir(root);
  } catch {
    throw new StationFault('sequence.invalid', `sequence folder ${root} cannot be read`, { file: root });
  }
  for (const name of entries.sort()) {
    const dir = join(root, name);
    try {
      if (!(await stat(dir)).isDirectory()) continue;
      const text = await readFile(join(dir, PROCEDURE_FILE), 'utf8');
      const doc = parseDocument(text);
      if (doc.get('id') === id) return dir;
    } catch {
      /* not a procedure folder */
    }
  }
  throw new StationFault('sequence.invalid', `no procedure with id "${id}" in ${root}`, { file: root });
}
