import type { Attachment, RunRecord } from '#contract/records.ts';
import type { ExportFormat } from '#contract/upload.ts';
import { StationFault } from '#contract/errors.ts';
import type { RunsRepo } from '#station/store/runs-repo.ts';
import type { AttachmentReader, AttachmentWriter } from '#station/store/attachments.ts';
import { NATIVE_LINES_MEDIA_TYPE, NATIVE_MEDIA_TYPE, nativeJson, nativeLines, parseNative } from './native.ts';
import { OCP_MEDIA_TYPE, ocpChunks, toOcp, type AttachmentUri } from './ocp.ts';
import { OPENHTF_MEDIA_TYPE, parseOpenHtf, toOpenHtfJson } from './openhtf.ts';
import { EmbeddedBytes, TooBig, describeAttachment, importedBytes, runAttachments } from './attachment-bytes.ts';

/**
 * Export and import of stored runs in every exchange format (runs.export, runs.import, the
 * folder target). Attachments travel with their bytes where the format has a place for
 * them: native `attachmentData`, OpenHTF inline `data`; OCP names each file by its
 * content address (`urn:sha256:…`) and carries no bytes.
 */

/**
 * Most bytes of attachment files one export embeds: 45 MiB, 60 MiB as base64, so a file
 * written with them still fits the 64 MiB runs.import takes. More is refused, saying so.
 */
export const EXPORT_ATTACHMENT_MAX_BYTES = 45 * 1024 * 1024;

const EXTENSION: Record<ExportFormat, string> = { native: '.json', ocp: '.ocp.jsonl', openhtf: '.openhtf.json' };
const MEDIA: Record<ExportFormat, string> = { native: NATIVE_MEDIA_TYPE, ocp: OCP_MEDIA_TYPE, openhtf: OPENHTF_MEDIA_TYPE };

/** Safe on every file system: letters, digits, - _ . only. */
const safe = (s: string): string => s.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 64) || '_';

/** One run's file name: serial first (what people look for), then the run id, which makes it unique and stable. */
export function runFileName(rec: Pick<RunRecord, 'id' | 'unit'>, format: ExportFormat): string {
  return `${safe(rec.unit.serialNumber)}_${safe(rec.id)}${EXTENSION[format]}`;
}

/**
 * One run in a format. `files` gives the attachments' bytes to embed (native, OpenHTF);
 * without it the record names each attachment as left out of this export.
 */
export function formatRun(rec: RunRecord, format: ExportFormat, files?: AttachmentReader | EmbeddedBytes): string {
  switch (format) {
    case 'native':
      return nativeJson(rec, files);
    case 'ocp':
      return toOcp(rec);
    case 'openhtf':
      return toOpenHtfJson(rec, files);
  }
}

/** The same text in pieces to write one after the other (OCP: whole lines, never one big string; `ocpUri` where each file artifact points). */
export function formatRunChunks(rec: RunRecord, format: ExportFormat, files?: AttachmentReader | EmbeddedBytes, ocpUri?: AttachmentUri): string[] {
  return format === 'ocp' ? ocpChunks(rec, ocpUri) : [formatRun(rec, format, files)];
}

/**
 * An attachment's file beside its run's (the folder target's OCP drop):
 * `<serial>_<run id>_<first 12 of its sha256>_<name>`, the same characters as the run's.
 */
export function attachmentFileName(rec: Pick<RunRecord, 'id' | 'unit'>, a: Pick<Attachment, 'name' | 'sha256'>): string {
  return `${safe(rec.unit.serialNumber)}_${safe(rec.id)}_${a.sha256.slice(0, 12)}_${safe(a.name)}`;
}

/** The attachments of `recs` an export left out, each named with the reason. */
function leftOutWarnings(recs: readonly RunRecord[], bytes: EmbeddedBytes): string[] {
  const out: string[] = [];
  for (const rec of recs)
    for (const { phase, attachment } of runAttachments(rec)) {
      const why = bytes.leftOut.get(attachment.sha256);
      if (why !== undefined) out.push(`run ${rec.id}: ${describeAttachment(phase, attachment)} left out: ${why}`);
    }
  return out;
}

export interface ExportResult {
  fileName: string;
  mediaType: string;
  content: string;
  count: number;
  /** Runs of the range that could not be read (damaged rows), with why. */
  skipped?: { runId: string; message: string }[];
  /** Attachments whose bytes could not be embedded (the file itself names them too). */
  warnings?: string[];
}

export interface ExportQuery {
  format: ExportFormat;
  runId?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
  limit: number;
  /** Embed the attachments' bytes (native, OpenHTF); default true. false: the records name them as left out. */
  attachments?: boolean | undefined;
  /** Most attachment bytes to embed; default EXPORT_ATTACHMENT_MAX_BYTES. More is refused. */
  maxAttachmentBytes?: number | undefined;
}

/**
 * Stored runs as a file's content. `files` is where the attachments' bytes are read (the
 * station's AttachmentStore): each is checked against its sha256, and one the station
 * cannot give whole is left out and named, in the file and in `warnings`.
 */
export function exportRuns(repo: RunsRepo, q: ExportQuery, files?: AttachmentReader): ExportResult {
  const max = q.maxAttachmentBytes ?? EXPORT_ATTACHMENT_MAX_BYTES;
  const bytes =
    q.attachments === false ? new EmbeddedBytes(undefined, max, 'not included in this export (exported without attachments)') : new EmbeddedBytes(files, max);
  const mb = (n: number): string => (n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MiB` : `${n} bytes`);
  const tooBig = (e: TooBig): StationFault =>
    new StationFault(
      'invalid-input',
      `attachments: the attachment files come to more than the ${mb(e.maxBytes)} one export carries (the file must fit what runs.import takes back): export fewer runs, or with attachments: false`,
      { field: 'attachments' },
    );
  const warned = (r: ExportResult, recs: readonly RunRecord[]): ExportResult => {
    const warnings = q.attachments === false ? [] : leftOutWarnings(recs, bytes);
    return warnings.length ? { ...r, warnings } : r;
  };
  if (q.runId !== undefined) {
    const rec = repo.getRun(q.runId);
    let content: string;
    try {
      content = formatRun(rec, q.format, bytes);
    } catch (e) {
      if (e instanceof TooBig) throw tooBig(e);
      throw e;
    }
    return warned({ fileName: runFileName(rec, q.format), mediaType: MEDIA[q.format], content, count: 1 }, [rec]);
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
  const exported: RunRecord[] = [];
  let content: string;
  try {
    content = nativeLines(
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
          exported.push(rec);
          yield rec;
        }
      })(),
      bytes,
    );
  } catch (e) {
    if (e instanceof TooBig) throw tooBig(e);
    throw e;
  }
  const name = `passline-runs_${safe(q.from ?? 'start')}_${safe(q.to ?? 'now')}.jsonl`;
  return warned(
    { fileName: name, mediaType: NATIVE_LINES_MEDIA_TYPE, content, count: ids.length - skipped.length, ...(skipped.length ? { skipped } : {}) },
    exported,
  );
}

export interface ImportResult {
  imported: string[];
  skipped: string[];
  /** Attachments refused (bytes that do not match their hash) or without bytes here, each named. */
  warnings?: string[];
}

/**
 * Stores every run in the file; runs already stored (same id) are skipped, so an import can
 * be repeated. The attachments' bytes in the file go to `files` (the station's
 * AttachmentStore, which computes each sha256 again as it writes), before the runs that
 * list them are stored, so `attachments.get` answers for every file the import kept.
 */
export function importRuns(repo: RunsRepo, format: 'native' | 'openhtf', content: string, files?: AttachmentWriter): ImportResult {
  const got = importedBytes();
  const records = format === 'native' ? parseNative(content, got) : [parseOpenHtf(content, got)];
  const warnings = [...got.warnings];
  if (files) {
    for (const [sha256, b] of got.bytes) {
      const put = files.put(b);
      if (put.sha256 !== sha256) throw new StationFault('internal', `attachment ${sha256}: stored as ${put.sha256}`);
    }
  } else if (got.bytes.size) warnings.push(`${got.bytes.size} attachment file(s) in the import not stored: this import was given no attachment store`);
  const imported: string[] = [];
  const skipped: string[] = [];
  repo.transaction(() => {
    for (const rec of records) (repo.insertRecord(rec) ? imported : skipped).push(rec.id);
  });
  // Listed, but neither in the file nor already here: say so once per file.
  const told = new Set<string>();
  for (const rec of records.filter((r) => imported.includes(r.id)))
    for (const { phase, attachment: a } of runAttachments(rec)) {
      if (told.has(a.sha256) || got.refused.has(a.sha256) || (files ? files.has(a.sha256) : got.bytes.has(a.sha256))) continue;
      told.add(a.sha256);
      const why = got.leftOut.get(a.sha256);
      warnings.push(
        `run ${rec.id}: ${describeAttachment(phase, a)} has no bytes in the file${why ? ` (${why})` : ''} and none on this station: listed, but attachments.get will not find it`,
      );
    }
  return { imported, skipped, ...(warnings.length ? { warnings } : {}) };
}
