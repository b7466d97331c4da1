import type { DatabaseSync } from 'node:sqlite';
import type { Measurement } from '#contract/records.ts';
import type { SeriesItem } from '#contract/stats.ts';
import { OUTCOME_NAMES, type ProcedureRuns } from './runs-cache.ts';

/**
 * A multi-dimensional measurement (a sweep, a soak log) of the newest runs, for overlaying:
 * read from the phase rows of at most `limit × 20` of the newest runs that match, newest first.
 */

export interface SeriesOptions {
  measurement: string;
  partNumber?: string | undefined;
  version?: string | undefined;
  from?: number | undefined;
  to?: number | undefined;
  limit: number;
}

export function readSeries(db: DatabaseSync, p: ProcedureRuns, o: SeriesOptions): SeriesItem[] {
  const phaseRow = db.prepare('SELECT measurements FROM phases WHERE run_id = ? AND name = ? ORDER BY attempt DESC LIMIT 1');
  const start = o.from === undefined ? 0 : p.lowerBound(o.from);
  const end = o.to === undefined ? p.n : p.lowerBound(o.to);
  const part = o.partNumber === undefined ? -1 : p.parts.values.indexOf(o.partNumber);
  const version = o.version === undefined ? -1 : p.versions.values.indexOf(o.version);
  if ((o.partNumber !== undefined && part < 0) || (o.version !== undefined && version < 0)) return [];
  // "phase.name" where the phase (with its parameters) may hold dots: the last dot that names a stored phase.
  const splits: [string, string][] = [];
  for (let k = o.measurement.lastIndexOf('.'); k > 0; k = o.measurement.lastIndexOf('.', k - 1)) splits.push([o.measurement.slice(0, k), o.measurement.slice(k + 1)]);
  const out: SeriesItem[] = [];
  let looked = 0;
  for (let i = end - 1; i >= start && out.length < o.limit && looked < o.limit * 20; i--) {
    if (part >= 0 && p.part[i] !== part) continue;
    if (version >= 0 && p.version[i] !== version) continue;
    looked++;
    for (const [phase, name] of splits) {
      const row = phaseRow.get(p.ids[i]!, phase) as { measurements: string } | undefined;
      if (!row) continue;
      let ms: Measurement[];
      try {
        ms = JSON.parse(row.measurements) as Measurement[];
      } catch {
        break;
      }
      const m = ms.find((x) => x.name === name);
      if (m && Array.isArray(m.value)) {
        out.push({
          runId: p.ids[i]!,
          serialNumber: p.serials.values[p.serial[i]!]!,
          partNumber: p.parts.values[p.part[i]!] || null,
          startedAt: new Date(p.t[i]!).toISOString(),
          outcome: OUTCOME_NAMES[p.outcome[i]!]!,
          measurementOutcome: m.outcome,
          dimensions: m.dimensions ?? [],
          points: m.value,
          validator: m.validator ?? null,
        });
      }
      break;
    }
  }
  return out;
}
