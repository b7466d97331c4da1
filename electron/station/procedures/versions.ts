import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import type { DatabaseSync } from 'node:sqlite';
import type { CommandArgs, CommandOutput } from '#contract/commands.ts';
import { StationFault } from '#contract/errors.ts';
import type { ProcedureSummary } from '#contract/procedure.ts';
import type { ProcedureFileChange, ProcedureVersionItem } from '#contract/procedures.ts';

/**
 * Every procedure version a socket loaded, kept once per (procedure id, content hash) in
 * `procedure_versions` (migration 0130): the files the hash covers, with the text of each
 * text file under 1 MiB, so a supervisor can compare any two versions that ever ran. The
 * texts are read from the folder the version loaded from and kept only when their sha256 is
 * the one the hash covers (an edit a moment after the load is the next version, not this one).
 */

/** Text files larger than this are kept by sha256 only. */
export const TEXT_MAX_BYTES = 1024 * 1024;
/** Prompt images and other pictures: compared by sha256, never as text. */
const IMAGES = new Set(['.png', '.jpg', '.jpeg', '.gif', '.webp', '.bmp', '.svg', '.ico', '.tif', '.tiff', '.avif']);

export interface StoredFile {
  name: string;
  sha256: string;
  /** Absent for images, binary files, files over TEXT_MAX_BYTES and files whose bytes had changed. */
  text?: string;
}

interface Row {
  procedure_id: string;
  hash: string;
  version: string;
  first_loaded_at: string;
  files: string;
}

const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The file's text when it is one to diff: not an image, small enough, UTF-8 without NUL. */
function textOf(name: string, bytes: Buffer): string | undefined {
  if (IMAGES.has(extname(name).toLowerCase()) || bytes.length > TEXT_MAX_BYTES || bytes.includes(0)) return undefined;
  try {
    return utf8.decode(bytes);
  } catch {
    return undefined;
  }
}

export class ProcedureVersions {
  private queue: Promise<void> = Promise.resolve();
  private readonly db: DatabaseSync;
  private readonly log: (level: 'warning', message: string) => void;

  constructor(db: DatabaseSync, log: (level: 'warning', message: string) => void) {
    this.db = db;
    this.log = log;
  }

  /** Keeps a version that just loaded if its hash is new, in load order; a failure is logged, never thrown. */
  record(p: ProcedureSummary, at: Date = new Date()): void {
    this.queue = this.queue
      .then(() => this.keep(p, at))
      .then(
        () => undefined,
        (e: unknown) => this.log('warning', `procedure versions: ${p.id} ${p.hash.slice(0, 12)} not kept: ${(e as Error).message}`),
      );
  }

  /** Resolves when every recorded version is written (or failed to be). */
  idle(): Promise<void> {
    return this.queue;
  }

  /** Stores the version; false when it was already kept (or the event predates file lists). */
  async keep(p: ProcedureSummary, at: Date = new Date()): Promise<boolean> {
    if (!p.files || this.has(p.id, p.hash)) return false;
    const files: StoredFile[] = await Promise.all(
      p.files.map(async ({ name, sha256: want }): Promise<StoredFile> => {
        const bytes = await readFile(join(p.dir, name)).catch(() => null);
        const text = bytes && sha256(bytes) === want ? textOf(name, bytes) : undefined;
        return text === undefined ? { name, sha256: want } : { name, sha256: want, text };
      }),
    );
    files.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    // The station may have closed while the files were read: nothing to write into then.
    if (!this.db.isOpen) return false;
    const r = this.db
      .prepare(`INSERT OR IGNORE INTO procedure_versions (procedure_id, hash, version, first_loaded_at, files) VALUES (?, ?, ?, ?, ?)`)
      .run(p.id, p.hash, p.version, at.toISOString(), JSON.stringify(files));
    return Number(r.changes) > 0;
  }

  private has(procedureId: string, hash: string): boolean {
    return this.db.prepare('SELECT 1 FROM procedure_versions WHERE procedure_id = ? AND hash = ?').get(procedureId, hash) !== undefined;
  }

  /** Newest first (by first load; the later-written row first on a tie). */
  list(procedureId: string): ProcedureVersionItem[] {
    const rows = this.db
      .prepare('SELECT * FROM procedure_versions WHERE procedure_id = ? ORDER BY first_loaded_at DESC, rowid DESC')
      .all(procedureId) as unknown as Row[];
    return rows.map((r) => item(r));
  }

  /** A kept version with its files (text where it was kept); not-found names the hash. */
  get(procedureId: string, hash: string): { item: ProcedureVersionItem; files: StoredFile[] } {
    const r = this.db.prepare('SELECT * FROM procedure_versions WHERE procedure_id = ? AND hash = ?').get(procedureId, hash) as Row | undefined;
    if (!r)
      throw new StationFault('not-found', `no version ${hash.slice(0, 12)}… of procedure ${procedureId} is kept on this station`, { field: 'hash', hash });
    const files = JSON.parse(r.files) as StoredFile[];
    return { item: item(r), files };
  }

  /** Per file of either version, sorted by name: unchanged, added, removed or changed (with a unified diff of text). */
  compare(procedureId: string, fromHash: string, toHash: string): { from: ProcedureVersionItem; to: ProcedureVersionItem; files: ProcedureFileChange[] } {
    const from = this.get(procedureId, fromHash);
    const to = this.get(procedureId, toHash);
    const before = new Map(from.files.map((f) => [f.name, f]));
    const after = new Map(to.files.map((f) => [f.name, f]));
    const names = [...new Set([...before.keys(), ...after.keys()])].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const files = names.map((name): ProcedureFileChange => {
      const a = before.get(name);
      const b = after.get(name);
      const status = !a ? 'added' : !b ? 'removed' : a.sha256 === b.sha256 ? 'unchanged' : 'changed';
      const diff =
        status === 'unchanged' || (a && a.text === undefined) || (b && b.text === undefined) ? null : unifiedDiff(a?.text ?? '', b?.text ?? '', name, !a, !b);
      return { name, status, fromSha256: a?.sha256 ?? null, toSha256: b?.sha256 ?? null, diff };
    });
    return { from: from.item, to: to.item, files };
  }
}

function item(r: Row): ProcedureVersionItem {
  return { version: r.version, hash: r.hash, firstLoadedAt: r.first_loaded_at, files: (JSON.parse(r.files) as StoredFile[]).map((f) => f.name) };
}

type ProcedureCommand = 'procedures.versions' | 'procedures.compare';

/** The read commands of contract/procedures.ts over the store; reading changes nothing, so nothing is audited. */
export function procedureVersionHandlers(versions: ProcedureVersions): { [K in ProcedureCommand]: (input: CommandArgs<K>) => CommandOutput<K> } {
  return {
    'procedures.versions': ({ procedureId }) => ({ procedureId, versions: versions.list(procedureId) }),
    'procedures.compare': ({ procedureId, fromHash, toHash }) => ({ procedureId, ...versions.compare(procedureId, fromHash, toHash) }),
  };
}

/** Lines of a text; a final newline ends the last line rather than starting an empty one. */
function linesOf(text: string): string[] {
  if (text === '') return [];
  const lines = text.split(/\r?\n/);
  if (lines.at(-1) === '') lines.pop();
  return lines;
}

/** Above this many cells (lines × lines of the part that differs) the diff is one block: all removed, then all added. */
const LCS_MAX_CELLS = 4_000_000;

type Op = { t: ' ' | '-' | '+'; line: string };

/** The edit script from `a` to `b`: common prefix and suffix kept, a longest common subsequence between. */
export function lineEdits(a: readonly string[], b: readonly string[]): Op[] {
  let pre = 0;
  while (pre < a.length && pre < b.length && a[pre] === b[pre]) pre++;
  let suf = 0;
  while (suf < a.length - pre && suf < b.length - pre && a[a.length - 1 - suf] === b[b.length - 1 - suf]) suf++;
  const x = a.slice(pre, a.length - suf);
  const y = b.slice(pre, b.length - suf);
  const ops: Op[] = a.slice(0, pre).map((line) => ({ t: ' ', line }));
  const n = x.length;
  const m = y.length;
  if (n * m > LCS_MAX_CELLS) {
    for (const line of x) ops.push({ t: '-', line });
    for (const line of y) ops.push({ t: '+', line });
  } else {
    // lcs[i][j]: length of the longest common subsequence of x[i..] and y[j..].
    const w = m + 1;
    const lcs = new Uint32Array((n + 1) * w);
    for (let i = n - 1; i >= 0; i--)
      for (let j = m - 1; j >= 0; j--) lcs[i * w + j] = x[i] === y[j] ? lcs[(i + 1) * w + j + 1]! + 1 : Math.max(lcs[(i + 1) * w + j]!, lcs[i * w + j + 1]!);
    let i = 0;
    let j = 0;
    while (i < n && j < m) {
      if (x[i] === y[j]) {
        ops.push({ t: ' ', line: x[i++]! });
        j++;
      } else if (lcs[(i + 1) * w + j]! >= lcs[i * w + j + 1]!) ops.push({ t: '-', line: x[i++]! });
      else ops.push({ t: '+', line: y[j++]! });
    }
    while (i < n) ops.push({ t: '-', line: x[i++]! });
    while (j < m) ops.push({ t: '+', line: y[j++]! });
  }
  for (const line of a.slice(a.length - suf)) ops.push({ t: ' ', line });
  return ops;
}

const CONTEXT = 3;

/** A unified diff (`diff -u` layout, 3 lines of context) of two texts; null when their lines are the same. */
export function unifiedDiff(before: string, after: string, name: string, added = false, removed = false): string | null {
  const ops = lineEdits(linesOf(before), linesOf(after));
  // Where each op starts in the old and the new text (0-based line numbers).
  const at: { a: number; b: number }[] = [];
  let ai = 0;
  let bi = 0;
  for (const op of ops) {
    at.push({ a: ai, b: bi });
    if (op.t !== '+') ai++;
    if (op.t !== '-') bi++;
  }
  const changes = ops.flatMap((op, k) => (op.t === ' ' ? [] : [k]));
  if (changes.length === 0) return null;
  const out = [added ? '--- /dev/null' : `--- a/${name}`, removed ? '+++ /dev/null' : `+++ b/${name}`];
  const range = (start: number, count: number): string => (count === 1 ? `${start + 1}` : `${count === 0 ? start : start + 1},${count}`);
  for (let h = 0; h < changes.length; h++) {
    const start = Math.max(0, changes[h]! - CONTEXT);
    let last = changes[h]!;
    while (h + 1 < changes.length && changes[h + 1]! - last - 1 <= 2 * CONTEXT) last = changes[++h]!;
    const stop = Math.min(ops.length, last + CONTEXT + 1);
    const hunk = ops.slice(start, stop);
    const oldCount = hunk.filter((o) => o.t !== '+').length;
    const newCount = hunk.filter((o) => o.t !== '-').length;
    out.push(`@@ -${range(at[start]!.a, oldCount)} +${range(at[start]!.b, newCount)} @@`);
    for (const o of hunk) out.push(`${o.t}${o.line}`);
  }
  return `${out.join('\n')}\n`;
}
