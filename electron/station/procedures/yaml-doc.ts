import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deserialize, serialize } from 'node:v8';
import type { Document, LineCounter } from 'yaml';
import { yaml } from './yaml-lib.ts';

/**
 * procedure.yaml parsed once per text: loading a procedure reads it for its id (the
 * sequence folder's duplicate check), its prompt images (the hash), its fields (the
 * loader) and again in the runner. A 1000-phase file costs tens of ms per parse, so one
 * process parses a given text once. Callers only read the document.
 */
const KEEP = 8;
const parsed = new Map<string, { doc: Document.Parsed; lc: LineCounter }>();

export function procedureDocument(text: string): { doc: Document.Parsed; lc: LineCounter } {
  const hit = parsed.get(text);
  if (hit) return hit;
  const Y = yaml();
  const lc = new Y.LineCounter();
  const entry = { doc: Y.parseDocument(text, { lineCounter: lc, prettyErrors: false }), lc };
  if (parsed.size >= KEEP) parsed.delete(parsed.keys().next().value!);
  parsed.set(text, entry);
  return entry;
}

export { plainTopLevelId } from './find.ts';

/**
 * procedure.yaml as plain data (its document's toJS()), or null when the text has YAML
 * errors (procedureDocument then says where). The yaml package takes 50-250 ms for a
 * 1000-phase file in a fresh process, and every `passline run`, station start and runner
 * start reads the file, mostly unchanged: the data is kept in memory and on disk
 * (os.tmpdir()/passline-yaml-cache, v8-serialized so .inf and .nan survive), keyed by the
 * sha256 of the text and the yaml package's version. The file's own check (the contract's
 * schema) and its line numbers for messages still come from the text each time.
 */
export function procedureData(text: string): { data: unknown } | null {
  const hit = data.get(text);
  if (hit !== undefined) return hit;
  const file = join(CACHE, `${createHash('sha256').update(text).digest('hex')}-${yamlVersion()}.v8`);
  let entry: { data: unknown } | null = null;
  try {
    entry = { data: deserialize(readFileSync(file)) };
  } catch {
    const { doc } = procedureDocument(text);
    if (doc.errors.length === 0) {
      entry = { data: doc.toJS() };
      store(file, entry.data);
    }
  }
  if (data.size >= KEEP) data.delete(data.keys().next().value!);
  data.set(text, entry);
  return entry;
}

const CACHE = join(tmpdir(), 'passline-yaml-cache');
const data = new Map<string, { data: unknown } | null>();

/** Written whole or not at all (a rename), so a reader never sees half a file; a failure only costs the next parse. */
function store(file: string, value: unknown): void {
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    mkdirSync(CACHE, { recursive: true });
    writeFileSync(tmp, serialize(value));
    renameSync(tmp, file);
  } catch {
    /* no cache: a read-only or full temp folder */
  }
}

let version: string | undefined;
/** The yaml package's version (its toJS() is what is kept): read once, from the project's node_modules. */
function yamlVersion(): string {
  if (version === undefined) {
    try {
      version = (JSON.parse(readFileSync(new URL('../../../node_modules/yaml/package.json', import.meta.url), 'utf8')) as { version: string }).version;
    } catch {
      version = 'unknown';
    }
  }
  return version;
}
