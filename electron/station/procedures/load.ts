import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve as resolvePath, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isMap, isNode, isScalar, type Document, type LineCounter } from 'yaml';
import { procedureData, procedureDocument } from './yaml-doc.ts';
import { foldersWithId } from './find.ts';
import { ProcedureFileSchema, type ProcedureFile, type ProcedureSummary } from '#contract/procedure.ts';
import { StationFault } from '#contract/errors.ts';
import type { PhaseExport } from '#station/engine/sdk.ts';
import type { CustomValidator } from '#station/engine/validators.ts';
import { planPhases, type PlannedPhase } from '#station/engine/plan.ts';
import { compileCondition } from '#station/engine/engine.ts';
import { typecheckPhases } from './typecheck.ts';
import { PHASES_FILE, PROCEDURE_FILE, hashOfFiles, readProcedureVersion } from './files.ts';
import { versionedUrl } from './module-versions.ts';

export { PROCEDURE_FILE, PHASES_FILE } from './files.ts';
/** The sequences that ship with the app; they are type-checked by the app's own build. */
export const BUILTIN_SEQUENCES = fileURLToPath(new URL('../../../sequences', import.meta.url));

export interface LoadedProcedure {
  file: ProcedureFile;
  dir: string;
  phases: Record<string, PhaseExport>;
  validators: Record<string, CustomValidator>;
  plan: PlannedPhase[];
  summary: ProcedureSummary;
}

type Path = readonly (string | number)[];

/** Line (1-based) of the YAML key (or node) at `path`, or of its nearest ancestor that has one. */
function lineOf(doc: Document, lc: LineCounter, path: Path): number {
  for (let p = [...path]; ; p = p.slice(0, -1)) {
    // A key's own line: its value may start below it (a block), or be missing.
    const parent = p.length > 1 ? doc.getIn(p.slice(0, -1), true) : doc.contents;
    const pair = isMap(parent) ? parent.items.find((it) => isScalar(it.key) && it.key.value === p.at(-1)) : undefined;
    if (pair && isScalar(pair.key) && pair.key.range) return lc.linePos(pair.key.range[0]).line;
    const node = p.length ? doc.getIn(p, true) : doc.contents;
    if (isNode(node) && node.range) return lc.linePos(node.range[0]).line;
    if (p.length === 0) return 1;
  }
}

export interface ParsedProcedure {
  file: ProcedureFile;
  /** "procedure.yaml:12: phases.2.name: message" for a problem found after parsing. */
  problem(path: Path, message: string): string;
}

/** Parses procedure.yaml; every error names the file, line and field. */
export function parseProcedure(text: string, fileName: string): ParsedProcedure {
  // The data of a text seen before comes from the cache; the document (for lines) only when a message needs one.
  const cached = procedureData(text);
  if (cached === null) {
    const { doc, lc } = procedureDocument(text);
    const e = doc.errors[0]!;
    const line = e.linePos?.[0]?.line ?? lc.linePos(e.pos[0]).line;
    throw new StationFault('sequence.invalid', `${fileName}:${line}: ${e.message.split('\n')[0]}`, { file: fileName, line });
  }
  const problem = (path: Path, message: string) => {
    const { doc, lc } = procedureDocument(text);
    return `${fileName}:${lineOf(doc, lc, path)}: ${path.length ? path.join('.') : '(top level)'}: ${message}`;
  };
  const parsed = ProcedureFileSchema.safeParse(cached.data);
  if (!parsed.success) {
    const messages = parsed.error.issues.flatMap((issue) =>
      // An unknown key is named as the field itself, on its own line (not as its parent's).
      issue.code === 'unrecognized_keys'
        ? issue.keys.map((k) => problem([...(issue.path as Path), k], 'unknown field'))
        : [problem(issue.path as Path, issue.message)],
    );
    throw new StationFault('sequence.invalid', messages.join('\n'), { file: fileName, issues: messages });
  }
  return { file: parsed.data, problem };
}

/** Parses procedure.yaml text into the file's typed form (errors name file, line, field). */
export function parseProcedureFile(text: string, fileName: string): ProcedureFile {
  return parseProcedure(text, fileName).file;
}

/** The hash a load of `dir` would record now (see files.ts for what it covers). */
export async function hashProcedure(dir: string): Promise<string> {
  return (await readProcedureVersion(dir)).hash;
}

function isValidator(v: unknown): v is CustomValidator {
  return typeof v === 'object' && v !== null && typeof (v as CustomValidator).check === 'function' && typeof (v as CustomValidator).description === 'string';
}

/**
 * Loads a procedure folder: procedure.yaml + phases.ts (transpiled by Node's type
 * stripping). Everything that can be checked before a unit is in the fixture is checked
 * here, so a mistake is refused at load, not found on the line.
 */
export async function loadProcedure(
  dir: string,
  paramOverrides: Readonly<Record<string, string | number | boolean>> = {},
  opts: { typecheck?: boolean; importTimeoutMs?: number; onImport?: (file: string) => void } = {},
): Promise<LoadedProcedure> {
  const yamlPath = join(dir, PROCEDURE_FILE);
  const tsPath = join(dir, PHASES_FILE);
  let bytes: Buffer;
  try {
    bytes = await readFile(yamlPath);
  } catch {
    throw new StationFault('sequence.invalid', `${yamlPath}: procedure file not found`, { file: yamlPath });
  }
  const { file, problem } = parseProcedure(bytes.toString('utf8'), yamlPath);
  // Once per load, with procedure.yaml as just parsed: the files, their hashes and the bytes that will run.
  const version = await readProcedureVersion(dir, bytes).catch(() => {
    throw new StationFault('sequence.invalid', `${tsPath}: phases file not found`, { file: tsPath });
  });
  const { hash, files } = version;
  if (opts.typecheck ?? !dir.startsWith(BUILTIN_SEQUENCES)) {
    // Keyed by the code alone (phases.ts and what it imports): a limit changed in procedure.yaml does not re-check it.
    const codeHash = hashOfFiles(files.filter((f) => f.name !== PROCEDURE_FILE));
    const errors = await typecheckPhases(tsPath, codeHash);
    if (errors.length) throw new StationFault('sequence.invalid', `type errors:\n${errors.slice(0, 20).join('\n')}`, { file: tsPath, issues: errors });
  }
  let mod: Record<string, unknown>;
  try {
    opts.onImport?.(tsPath);
    // The hash in the URL (phases.ts's and, through the module hooks, every folder file it
    // imports) makes an edited version load fresh instead of from the module cache.
    const imported = import(versionedUrl(dir, hash.slice(0, 16), version, PHASES_FILE)) as Promise<Record<string, unknown>>;
    mod = opts.importTimeoutMs === undefined ? await imported : await importWithin(imported, opts.importTimeoutMs, tsPath);
  } catch (e) {
    if (e instanceof StationFault) throw e;
    const err = e as Error;
    // Type-stripping and syntax errors carry "file:line" in the stack or the message: the
    // first file of the folder named there is where it went wrong (phases.ts or a helper).
    const text = `${err.message}\n${err.stack ?? ''}`;
    const folder = `${resolvePath(dir)}${sep}`.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const at = new RegExp(`${folder}([^\\s:?)]+)(?:\\?[^:\\s]*)?:(\\d+)`).exec(text);
    const file = at ? join(dir, at[1]!) : tsPath;
    const where = at?.[2] ?? /:(\d+):\d+/.exec(err.message)?.[1];
    throw new StationFault('sequence.invalid', `${file}${where ? `:${where}` : ''}: ${err.message.split('\n')[0]}`, {
      file,
      ...(where ? { line: Number(where) } : {}),
    });
  }
  const problems: string[] = [];
  const validators: Record<string, CustomValidator> = {};
  if (mod.validators !== undefined) {
    if (typeof mod.validators !== 'object' || mod.validators === null)
      problems.push(`${tsPath}: validators: export an object of { description, check(value) }`);
    else
      for (const [name, v] of Object.entries(mod.validators)) {
        if (isValidator(v)) validators[name] = v;
        else problems.push(`${tsPath}: validators.${name}: needs a description string and a check(value) function`);
      }
  }
  const phases: Record<string, PhaseExport> = {};
  file.phases.forEach((p, i) => {
    const exp = mod[p.name];
    if (p.soak) {
      if (typeof exp === 'object' && exp !== null && typeof (exp as { every?: unknown }).every === 'function') phases[p.name] = exp as PhaseExport;
      else problems.push(problem(['phases', i, 'name'], `soak phase "${p.name}" must be exported as { start?, every, end? } by ${PHASES_FILE}`));
    } else if (typeof exp === 'function') phases[p.name] = exp as PhaseExport;
    else problems.push(problem(['phases', i, 'name'], `phase "${p.name}" is not exported by ${PHASES_FILE}`));
    if (p.runIf !== undefined) {
      try {
        compileCondition(p.runIf);
      } catch (e) {
        problems.push(problem(['phases', i, 'runIf'], `not a valid expression: ${(e as Error).message}`));
      }
    }
    p.measurements.forEach((m, j) => {
      if (m.validator !== undefined && !validators[m.validator])
        problems.push(problem(['phases', i, 'measurements', j, 'validator'], `validator "${m.validator}" is not exported by ${PHASES_FILE} in validators`));
    });
  });
  for (const [key, prompt] of Object.entries(file.prompts)) {
    if (prompt.image !== undefined && !existsSync(join(dir, prompt.image)))
      problems.push(problem(['prompts', key, 'image'], `image file ${prompt.image} not found in ${dir}`));
  }
  if (problems.length) throw new StationFault('sequence.invalid', problems.join('\n'), { file: yamlPath, issues: problems });
  const plan = planPhases(file, validators, paramOverrides);
  return {
    file,
    dir,
    phases,
    validators,
    plan,
    summary: {
      id: file.id,
      name: file.name,
      version: file.version,
      hash,
      files,
      ...(file.partNumber !== undefined ? { partNumber: file.partNumber } : {}),
      serialPattern: file.serialPattern,
      ...(file.serialExample !== undefined ? { serialExample: file.serialExample } : {}),
      language: file.language,
      ...(file.serialCheckDigit !== undefined ? { serialCheckDigit: file.serialCheckDigit } : {}),
      ...(file.retest !== undefined ? { retest: file.retest } : {}),
      phases: plan.map((p) => ({
        name: p.name,
        ...(p.title !== undefined ? { title: p.title } : {}),
        ...(p.titles !== undefined ? { titles: p.titles } : {}),
        group: p.group,
        enabled: true,
      })),
      dir,
    },
  };
}

/** "phases.ts did not finish loading within 15 s": a top-level await that never settles cannot hold the runner's load. */
async function importWithin<T>(p: Promise<T>, ms: number, tsPath: string): Promise<T> {
  let t: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    t = setTimeout(() => reject(loadTimeoutFault(tsPath, ms)), ms);
  });
  try {
    return await Promise.race([p, late]);
  } finally {
    clearTimeout(t);
  }
}

/** The same words whether the runner noticed (a hanging await) or the station had to kill it (a busy loop). */
export function loadTimeoutFault(tsPath: string, ms: number): StationFault {
  const s = ms >= 10_000 ? String(Math.round(ms / 1000)) : String(Math.round(ms / 100) / 10);
  return new StationFault('sequence.invalid', `${tsPath} did not finish loading within ${s} s (code at its top level that never finishes)`, { file: tsPath });
}

/**
 * Finds a procedure folder by id under a sequences folder (folders holding a procedure.yaml).
 * Two folders with the same id are an error naming both: which one runs must never depend
 * on the order of a directory listing.
 */
export async function findProcedureDir(root: string, id: string): Promise<string> {
  let found: string[];
  try {
    found = foldersWithId(root, id, (text) => procedureDocument(text).doc.get('id'))!;
  } catch {
    throw new StationFault('sequence.invalid', `sequence folder ${root} cannot be read`, { file: root });
  }
  if (found.length > 1)
    throw new StationFault('sequence.invalid', `${found.length} procedures have the id "${id}" in ${root}: ${found.join(' and ')}; give each its own id`, {
      file: found[1]!,
    });
  if (found[0]) return found[0];
  throw new StationFault('sequence.invalid', `no procedure with id "${id}" in ${root}`, { file: root });
}
