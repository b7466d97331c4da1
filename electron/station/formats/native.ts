import { RunRecordSchema, type RunRecord } from '#contract/records.ts';
import { StationFault, formatZodError } from '#contract/errors.ts';

/**
 * Passline's own format: the run record exactly as the station stores it
 * (docs/schemas/run-record.schema.json). One run is one JSON object; a range is
 * JSON lines, one record per line, so a big export streams and a reader can
 * stop anywhere.
 */

export const NATIVE_MEDIA_TYPE = 'application/json';
export const NATIVE_LINES_MEDIA_TYPE = 'application/x-ndjson';

/** Keys in the schema's order, whatever order the record was built in: the same run always exports to the same bytes. */
const canonical = (rec: RunRecord): RunRecord => RunRecordSchema.parse(rec);

export function nativeJson(rec: RunRecord): string {
  return JSON.stringify(canonical(rec), null, 2) + '\n';
}

export function nativeLines(recs: Iterable<RunRecord>): string {
  let out = '';
  for (const r of recs) out += JSON.stringify(canonical(r)) + '\n';
  return out;
}

/**
 * Reads one record, an array of records, or JSON lines of records. Every record is
 * checked against the contract; a bad one is named by its place and field.
 */
export function parseNative(text: string): RunRecord[] {
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
    const r = RunRecordSchema.safeParse(value);
    if (!r.success) throw new StationFault('invalid-input', `native import: ${where} is not a Passline run record: ${formatZodError(r.error)}`, { where });
    return r.data;
  });
}
