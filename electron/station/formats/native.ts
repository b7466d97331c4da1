import { NativeRunSchema, RunRecordSchema, type NativeRun, type RunRecord } from '#contract/records.ts';
import { StationFault, formatZodError } from '#contract/errors.ts';
import type { AttachmentReader } from '#station/store/attachments.ts';
import { EmbeddedBytes, decodeBase64, describeAttachment, runAttachments, sha256Of, type ImportedBytes } from './attachment-bytes.ts';

/**
 * Passline's own format: the run record exactly as the station stores it
 * (docs/schemas/run-record.schema.json). One run is one JSON object; a range is
 * JSON lines, one record per line, so a big export streams and a reader can
 * stop anywhere. A run with attachments carries their bytes after the record
 * (`attachmentData`, base64 by sha256), read from `files`; bytes that could not be
 * included are named with the reason (`attachmentsLeftOut`).
 */

export const NATIVE_MEDIA_TYPE = 'application/json';
export const NATIVE_LINES_MEDIA_TYPE = 'application/x-ndjson';

/** Keys in the schema's order, whatever order the record was built in: the same run always exports to the same bytes. */
const canonical = (rec: RunRecord): RunRecord => RunRecordSchema.parse(rec);

/** The record with its attachments' bytes (in the order the record lists them), or the reasons they are not there. */
export function withAttachmentData(rec: RunRecord, files?: AttachmentReader | EmbeddedBytes): NativeRun {
  const out: NativeRun = canonical(rec);
  const list = runAttachments(rec);
  if (list.length === 0) return out;
  const bytes = files instanceof EmbeddedBytes ? files : new EmbeddedBytes(files);
  const data: Record<string, string> = {};
  const leftOut: Record<string, string> = {};
  for (const { attachment: a } of list) {
    if (a.sha256 in data || a.sha256 in leftOut) continue;
    const b = bytes.read(a);
    if (b) data[a.sha256] = b.toString('base64');
    else leftOut[a.sha256] = bytes.leftOut.get(a.sha256) ?? 'not included in this export';
  }
  if (Object.keys(data).length) out.attachmentData = data;
  if (Object.keys(leftOut).length) out.attachmentsLeftOut = leftOut;
  return out;
}

export function nativeJson(rec: RunRecord, files?: AttachmentReader | EmbeddedBytes): string {
  return JSON.stringify(withAttachmentData(rec, files), null, 2) + '\n';
}

/** One compact line per run; `files` shared by every run, so an EmbeddedBytes counts the whole range. */
export function nativeLines(recs: Iterable<RunRecord>, files?: AttachmentReader | EmbeddedBytes): string {
  const bytes = files instanceof EmbeddedBytes ? files : new EmbeddedBytes(files);
  let out = '';
  for (const r of recs) out += JSON.stringify(withAttachmentData(r, bytes)) + '\n';
  return out;
}

/**
 * Reads one record, an array of records, or JSON lines of records. Every record is
 * checked against the contract; a bad one is named by its place and field. `files`,
 * when given, receives the attachments' bytes, each checked against the sha256 it is
 * filed under; bytes that do not match are refused, naming the attachment.
 */
export function parseNative(text: string, files?: ImportedBytes): RunRecord[] {
  const trimmed = text.trim();
  if (trimmed === '') throw new StationFault('invalid-input', 'native import: the file is empty');
  let items: { where: string; value: unknown }[];
  try {
    const whole: unknown = JSON.parse(trimmed);
    items = Array.isArray(whole) ? whole.map((value, i) => ({ where: `record ${i + 1}`, value })) : [{ where: 'record', value: whole }];
  } catch {
    // Not one JSON document: JSON lines.
    items = [];
    const lines = trimmed.split('\n');
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!.trim();
      if (line === '') continue;
      try {
        items.push({ where: `line ${i + 1}`, value: JSON.parse(line) });
      } catch (e) {
        throw new StationFault('invalid-input', `native import: line ${i + 1} is not JSON (${(e as Error).message})`, { line: i + 1 });
      }
    }
  }
  return items.map(({ where, value }) => {
    const r = NativeRunSchema.safeParse(value);
    if (!r.success) throw new StationFault('invalid-input', `native import: ${where} is not a Passline run record: ${formatZodError(r.error)}`, { where });
    const { attachmentData, attachmentsLeftOut, ...rec } = r.data;
    if (files) takeBytes(rec, attachmentData ?? {}, attachmentsLeftOut ?? {}, files);
    return rec;
  });
}

function takeBytes(rec: RunRecord, data: Record<string, string>, leftOut: Record<string, string>, files: ImportedBytes): void {
  for (const [sha256, why] of Object.entries(leftOut)) files.leftOut.set(sha256, why);
  for (const { phase, attachment: a } of runAttachments(rec)) {
    const text = data[a.sha256];
    if (text === undefined || files.bytes.has(a.sha256) || files.refused.has(a.sha256)) continue;
    const bytes = decodeBase64(text);
    const problem = !bytes
      ? 'its data is not base64'
      : sha256Of(bytes) !== a.sha256
        ? `its bytes do not match its sha256 (they give ${sha256Of(bytes)})`
        : null;
    if (problem || !bytes) {
      files.refused.add(a.sha256);
      files.warnings.push(`run ${rec.id}: ${describeAttachment(phase, a)} refused: ${problem}`);
    } else files.bytes.set(a.sha256, bytes);
  }
}
