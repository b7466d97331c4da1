import { LineCounter, parseDocument, type Document } from 'yaml';

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
  const lc = new LineCounter();
  const entry = { doc: parseDocument(text, { lineCounter: lc, prettyErrors: false }), lc };
  if (parsed.size >= KEEP) parsed.delete(parsed.keys().next().value!);
  parsed.set(text, entry);
  return entry;
}

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
