/**
 * `passline run`'s options and how it finds the procedure folder: shared by the CLI
 * (cli-main.ts) and its launcher (cli.ts), which starts the runner loading that folder
 * before the CLI has loaded. Only Node's own modules here.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PROCEDURE_FILE } from './procedures/find.ts';

/** The sequences that ship with the app (the same folder as procedures/load.ts's BUILTIN_SEQUENCES). */
const BUILTIN = fileURLToPath(new URL('../../sequences', import.meta.url));

export const RUN_OPTIONS = {
  serial: { type: 'string' },
  param: { type: 'string', multiple: true },
  answer: { type: 'string', multiple: true },
  instrument: { type: 'string', multiple: true },
  yes: { type: 'boolean', default: false },
  sequences: { type: 'string' },
  'data-dir': { type: 'string' },
  json: { type: 'boolean', default: false },
  'load-timeout': { type: 'string' },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

/**
 * A folder holding procedure.yaml is that very folder; anything else is an id looked up by
 * `find` in the sequences folder (default: the shipped sequences).
 */
export function procedureDirOf<T>(arg: string, sequences: string | undefined, find: (root: string, id: string) => T): T | string {
  const asDir = resolve(arg);
  if (existsSync(join(asDir, PROCEDURE_FILE))) return asDir;
  return find(sequences ? resolve(sequences) : BUILTIN, arg);
}
