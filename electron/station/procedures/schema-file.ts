/**
 * The JSON Schema of procedure.yaml, for editors: `passline schema [DIR]` writes it into a
 * procedure folder as procedure.schema.json and points the file's yaml-language-server line
 * at it, so completion and checking work for a folder anywhere (no repo beside it, no
 * network: stations and their engineers are often offline). The schema written is the one
 * of the Passline that wrote it; run the command again after an upgrade.
 */
import { existsSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { z } from 'zod';
import { ProcedureFileSchema } from '#contract/procedure.ts';

export const PROCEDURE_SCHEMA_FILE = 'procedure.schema.json';
/** The schema's identifier (its `$id`): a name, not a promise that anything is served there. */
export const PROCEDURE_SCHEMA_ID = 'https://passline.dev/schemas/procedure.schema.json';
/** The first line that makes editors (the YAML language server: VS Code, Neovim, Zed…) use the file beside. */
export const SCHEMA_MODELINE = `# yaml-language-server: $schema=./${PROCEDURE_SCHEMA_FILE}`;

const MODELINE_RE = /^#\s*yaml-language-server:\s*\$schema=(\S*)\s*$/;

/** procedure.yaml's JSON Schema, generated from the contract (the published docs/schemas copy is the same). */
export function procedureSchema(): Record<string, unknown> {
  return {
    $id: PROCEDURE_SCHEMA_ID,
    title: 'Passline procedure file (procedure.yaml)',
    ...z.toJSONSchema(ProcedureFileSchema, { io: 'input', unrepresentable: 'any' }),
  };
}

const appVersion = (): string => (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

export interface SchemaWritten {
  /** The schema file's path. */
  schemaFile: string;
  /** False when the file was already there with the same content. */
  schemaChanged: boolean;
  /**
   * What became of procedure.yaml's yaml-language-server line: `added` (there was none),
   * `replaced` (it pointed at a file that is not there, as a folder copied out of the repo
   * does), `kept` (it points at this file, at a URL or at a file that exists), or
   * `no-procedure` (the folder has no procedure.yaml yet: start it with `line`).
   */
  modeline: 'added' | 'replaced' | 'kept' | 'no-procedure';
  /** The line procedure.yaml starts with (or should). */
  line: string;
  /** The target the line had before, when it was replaced or kept. */
  previous?: string;
}

/** Writes `text` to `path` through a temporary name, so an editor never reads half a file. */
function writeWhole(path: string, text: string): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}

/**
 * Writes procedure.schema.json into `dir` (a procedure folder) and makes its procedure.yaml
 * start with `# yaml-language-server: $schema=./procedure.schema.json`, unless its line
 * already points somewhere that exists. Throws with a sentence when `dir` is not a folder.
 */
export function writeProcedureSchema(dir: string): SchemaWritten {
  const folder = resolve(dir);
  let isDir = false;
  try {
    isDir = statSync(folder).isDirectory();
  } catch {
    /* missing */
  }
  if (!isDir) throw new Error(`${folder} is not a folder: give the procedure folder (the one holding procedure.yaml)`);

  const schemaFile = join(folder, PROCEDURE_SCHEMA_FILE);
  const schema = { $comment: `Written by passline schema (Passline ${appVersion()}). Run it again after upgrading Passline.`, ...procedureSchema() };
  const text = JSON.stringify(schema, null, 2) + '\n';
  const before = existsSync(schemaFile) ? readFileSync(schemaFile, 'utf8') : null;
  if (before !== text) writeWhole(schemaFile, text);
  const schemaChanged = before !== text;

  const yamlPath = join(folder, 'procedure.yaml');
  if (!existsSync(yamlPath)) return { schemaFile, schemaChanged, modeline: 'no-procedure', line: SCHEMA_MODELINE };
  const yaml = readFileSync(yamlPath, 'utf8');
  const eol = yaml.includes('\r\n') ? '\r\n' : '\n';
  const lines = yaml.split(/\r?\n/);
  // The line may sit anywhere in the comments at the top of the file.
  let at = -1;
  for (let i = 0; i < lines.length && /^\s*(#.*)?$/.test(lines[i]!); i++) {
    if (MODELINE_RE.test(lines[i]!.trim())) {
      at = i;
      break;
    }
  }
  if (at < 0) {
    // A byte-order mark stays in front.
    const bom = yaml.startsWith('\uFEFF') ? '\uFEFF' : '';
    writeWhole(yamlPath, `${bom}${SCHEMA_MODELINE}${eol}${yaml.slice(bom.length)}`);
    return { schemaFile, schemaChanged, modeline: 'added', line: SCHEMA_MODELINE };
  }
  const previous = MODELINE_RE.exec(lines[at]!.trim())![1]!;
  const points = /^[a-z][a-z0-9+.-]*:\/\//i.test(previous) || (previous !== '' && existsSync(isAbsolute(previous) ? previous : join(folder, previous)));
  if (points) return { schemaFile, schemaChanged, modeline: 'kept', line: lines[at]!.trim(), previous };
  lines[at] = lines[at]!.replace(/\$schema=\S*/, `$schema=./${PROCEDURE_SCHEMA_FILE}`);
  writeWhole(yamlPath, lines.join(eol));
  return { schemaFile, schemaChanged, modeline: 'replaced', line: SCHEMA_MODELINE, previous };
}

/** What `passline schema` prints: what it wrote and what became of procedure.yaml's line. */
export function describeSchemaWritten(r: SchemaWritten): string {
  const wrote = `${r.schemaChanged ? 'wrote' : 'up to date:'} ${r.schemaFile}`;
  switch (r.modeline) {
    case 'added':
      return `${wrote}\nprocedure.yaml now starts with: ${r.line}`;
    case 'replaced':
      return `${wrote}\nprocedure.yaml pointed at ${r.previous}, which is not there; it now starts with: ${r.line}`;
    case 'kept':
      return `${wrote}\nprocedure.yaml's line is left as it is (${r.previous}); to use this file: ${SCHEMA_MODELINE}`;
    case 'no-procedure':
      return `${wrote}\nno procedure.yaml here yet: start it with ${r.line}`;
  }
}
