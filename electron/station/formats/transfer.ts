import type { RunRecord } from '#contract/records.ts';
import type { ExportFormat } from '#contract/upload.ts';
import { StationFault } from '#contract/errors.ts';
import type { RunsRepo } from '#station/store/runs-repo.ts';
import { NATIVE_LINES_MEDIA_TYPE, NATIVE_MEDIA_TYPE, nativeJson, nativeLines, parseNative } from './native.ts';
import { OCP_MEDIA_TYPE, ocpChunks, toOcp } from './ocp.ts';
import { OPENHTF_MEDIA_TYPE, parseOpenHtf, toOpenHtfJson } from './openhtf.ts';

/** Export and import of stored runs in every exchange format (runs.export, runs.import, the folder target). */

const EXTENSION: Record<ExportFormat, string> = { native: '.json', ocp: '.ocp.jsonl', openhtf: '.openhtf.json' };
const MEDIA: Record<ExportFormat, string> = { native: NATIVE_MEDIA_TYPE, ocp: OCP_MEDIA_TYPE, openhtf: OPENHTF_MEDIA_TYPE };

/** Safe on every file system: letters, digits, - _ . only. */
const safe = (s: string): string => s.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 64) || '_';

/** One run's file name: serial first (what people look for), then the run id, which makes it unique and stable. */
export function runFileName(rec: Pick<RunRecord, 'id' | 'unit'>, format: ExportFormat): string {
  return `${safe(rec.unit.serialNumber)}_${safe(rec.id)}${EXTENSION[format]}`;
}

export function formatRun(rec: RunRecord, format: ExportFormat): string {
  switch (format) {
    case 'native':
      return nativeJson(rec);
    case 'ocp':
      return toOcp(rec);
    case 'openhtf':
      return toOpenHtfJson(rec);
  }
}

/** The same text in pieces to write one after the other (OCP: whole lines, never one big string). */
export function formatRunChunks(rec: RunRecord, format: ExportFormat): string[] {
  return format === 'ocp' ? ocpChunks(rec) : [formatRun(rec, format)];
}

export interface ExportResult {
  fileName: string;
  mediaType: string;
  content: string;
  count: number;
  /** Runs of the range that could not be read (damaged rows), with why. */
  skipped?: { runId: string; message: string }[];
}

export function exportRuns(
  repo: RunsRepo,
  q: { format: ExportFormat; runId?: string | undefined; from?: string | undefined; to?: string | undefined; limit: number },
): ExportResult {
  if (q.runId !== undefined) {
    const rec = repo.getRun(q.runId);
    return { fileName: runFileName(rec, q.format), mediaType: MEDIA[q.format], content: formatRun(rec, q.format), count: 1 };
  }
  if (q.format !== 'native')
    throw new StationFault('invalid-input', `runId: ${q.format} export takes one run; a range exports as native JSON lines`, { field: 'runId' });
  const where: string[] = ["outcome != 'RUNNING'"];
  const args: string[] = [];
  if (q.from !== undefined) {
    where.push('started_at >= ?');
    args.push(q.from);
  }
  if (q.to !== undefined) {
    where.push('started_at < ?');
    args.push(q.to);
  }
  const ids = (
    repo.db.prepare(`SELECT id FROM runs WHERE ${where.join(' AND ')} ORDER BY started_at, id LIMIT ?`).all(...args, q.limit) as { id: string }[]
  ).map((r) => r.id);
  // A run with a damaged row is left out and named; the others export.
  const skipped: { runId: string; message: string }[] = [];
  const content = nativeLines(
    (function* () {
      for (const id of ids) {
        let rec: RunRecord;
        try {
          rec = repo.getRun(id);
        } catch (e) {
          if (!(e instanceof StationFault) || e.kind !== 'db.corrupted') throw e;
          skipped.push({ runId: id, message: e.message });
          continue;
        }
        yield rec;
      }
    })(),
  );
  const name = `passline-runs_${safe(q.from ?? 'start')}_${safe(q.to ?? 'now')}.jsonl`;
  return { fileName: name, mediaType: NATIVE_LINES_MEDIA_TYPE, content, count: ids.length - skipped.length, ...(skipped.length ? { skipped } : {}) };
}

/** Stores every run in the file; runs already stored (same id) are skipped, so an import can be repeated. */
export function importRuns(repo: RunsRepo, format: 'native' | 'openhtf', content: string): { imported: string[]; skipped: string[] } {
  const records = format === 'native' ? parseNative(content) : [parseOpenHtf(content)];
  const imported: string[] = [];
  const skipped: string[] = [];
  repo.transaction(() => {
    for (const rec of records) (repo.insertRecord(rec) ? imported : skipped).push(rec.id);
  });
  return { imported, skipped };
}
