import { useEffect, useState } from 'react';
import type { Measurement, RunRecord, Validator } from '#contract/records.ts';
import type { SeriesItem } from '#contract/stats.ts';
import { useStationClient } from '../../api/station-context.tsx';
import { isPlottable } from '../../components/charts/measurement-series.ts';
import type { OverlayQuery } from '../../router.ts';

/** A measurement the runs carry as a series: its key is "phase.name", as the SPC pages and the CLI name one. */
export interface SeriesChoice {
  key: string;
  phase: string;
  name: string;
}

/** One run's series of the chosen measurement, as a measurement the chart kit reads. */
export interface OverlayRun {
  runId: string;
  serialNumber: string;
  startedAt: string;
  outcome: SeriesItem['outcome'];
  m: Measurement;
}

export type OverlayState =
  | { state: 'loading' }
  | { state: 'error'; message: string }
  | { state: 'empty' }
  | { state: 'ready'; procedureId: string; choices: SeriesChoice[]; choice: SeriesChoice | null; runs: OverlayRun[] };

/** Runs asked for when a result filter is on: the newest 200 of the part, then filtered here. */
const FILTERED_POOL = 200;

/**
 * The newest `last` finished runs' series of one measurement of a procedure and part number.
 * The newest run's record names the series measurements to choose from (and the procedure,
 * when the address does not); `stats.series` then reads that measurement of every run from
 * the store's phase rows in one request.
 */
export function useOverlayRuns(q: OverlayQuery): OverlayState {
  const client = useStationClient();
  const { procedureId, partNumber, last, outcome, measurement } = q;
  const key = JSON.stringify([procedureId, partNumber, last, outcome, measurement]);
  // Tagged with the search it answers: a new search reads as loading until its own answer.
  const [tagged, setTagged] = useState<{ key: string; value: OverlayState } | null>(null);
  useEffect(() => {
    let live = true;
    const done = (value: OverlayState): void => {
      if (live) setTagged({ key, value });
    };
    void (async () => {
      const list = await client.invoke('runs.list', { limit: 5, ...(procedureId ? { procedureId } : {}), ...(partNumber ? { partNumber } : {}) });
      if (!list.ok) return done({ state: 'error', message: list.error.message });
      const newest = list.value.runs.find((r) => r.outcome !== 'RUNNING');
      if (!newest) return done({ state: 'empty' });
      const rec = await client.invoke('runs.get', { runId: newest.id });
      if (!rec.ok) return done({ state: 'error', message: `${newest.serialNumber}: ${rec.error.message}` });
      const choices = seriesChoices(rec.value);
      const choice = choices.find((c) => c.key === measurement) ?? (measurement ? choiceOf(measurement) : (choices[0] ?? null));
      const proc = procedureId ?? rec.value.procedure.id;
      if (!choice) return done({ state: 'ready', procedureId: proc, choices, choice: null, runs: [] });
      const series = await client.invoke('stats.series', {
        procedureId: proc,
        measurement: choice.key,
        ...(partNumber ? { partNumber } : {}),
        limit: outcome ? FILTERED_POOL : last,
      });
      if (!series.ok) return done({ state: 'error', message: series.error.message });
      const runs = series.value.series
        .filter((s) => !outcome || s.outcome === outcome)
        .slice(0, last)
        .map((s) => ({ runId: s.runId, serialNumber: s.serialNumber, startedAt: s.startedAt, outcome: s.outcome, m: asMeasurement(choice.name, s) }));
      done({ state: 'ready', procedureId: proc, choices, choice, runs });
    })();
    return () => {
      live = false;
    };
  }, [client, key, procedureId, partNumber, last, outcome, measurement]);
  return tagged?.key === key ? tagged.value : { state: 'loading' };
}

/** A key the newest run does not carry (an older measurement): split at its last dot. */
function choiceOf(key: string): SeriesChoice {
  const i = key.lastIndexOf('.');
  return i > 0 ? { key, phase: key.slice(0, i), name: key.slice(i + 1) } : { key, phase: '', name: key };
}

/** The series measurements of a run, in its order. */
export function seriesChoices(rec: RunRecord): SeriesChoice[] {
  const seen = new Map<string, SeriesChoice>();
  for (const p of rec.phases) {
    for (const m of p.measurements) {
      if (!isPlottable(m)) continue;
      const key = `${p.name}.${m.name}`;
      if (!seen.has(key)) seen.set(key, { key, phase: p.name, name: m.name });
    }
  }
  return [...seen.values()];
}

/** A series item as the measurement it was, with the aggregates of its last column (the table shows them). */
export function asMeasurement(name: string, s: SeriesItem): Measurement {
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  for (const p of s.points) {
    const v = p[p.length - 1]!;
    if (v < min) min = v;
    if (v > max) max = v;
    sum += v;
  }
  const n = s.points.length;
  const units = s.dimensions.at(-1)?.units;
  return {
    name,
    value: s.points,
    dimensions: s.dimensions,
    ...(units ? { units } : {}),
    ...(n ? { aggregates: { min, max, mean: sum / n, count: n } } : {}),
    ...(s.validator ? { validator: s.validator as Validator } : {}),
    outcome: s.measurementOutcome,
  };
}
