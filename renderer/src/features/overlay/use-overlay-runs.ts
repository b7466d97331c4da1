import { useEffect, useState } from 'react';
import type { Measurement, RunRecord, RunSummary } from '#contract/records.ts';
import { useStationClient } from '../../api/station-context.tsx';
import { isPlottable } from '../../components/charts/measurement-series.ts';
import type { OverlayQuery } from '../../router.ts';

/** A measurement the runs carry as a series: its key is "phase.name", as the SPC pages and the CLI name one. */
export interface SeriesChoice {
  key: string;
  phase: string;
  name: string;
}

export interface OverlayRun {
  summary: RunSummary;
  record: RunRecord;
}

export type OverlayState =
  { state: 'loading'; done: number; of: number } | { state: 'error'; message: string } | { state: 'ready'; runs: OverlayRun[]; choices: SeriesChoice[] };

/** Records fetched at once: enough to keep the station busy, few enough not to crowd the operator's own traffic. */
const PARALLEL = 6;

/**
 * The newest `last` finished runs of a procedure and part number, each as its full record
 * (`runs.list`, then `runs.get` per run: 50 records of a few kB each over the station's own
 * socket cost tens of milliseconds, so no command of its own is needed yet).
 */
export function useOverlayRuns(q: OverlayQuery): OverlayState {
  const client = useStationClient();
  const { procedureId, partNumber, last, outcome } = q;
  const key = JSON.stringify([procedureId, partNumber, last, outcome]);
  // Tagged with the search it answers: a new search reads as loading until its own answer.
  const [tagged, setTagged] = useState<{ key: string; value: OverlayState } | null>(null);
  useEffect(() => {
    let live = true;
    const setState = (value: OverlayState): void => setTagged({ key, value });
    void (async () => {
      // A few more than asked: runs still RUNNING are left out.
      const list = await client.invoke('runs.list', {
        limit: Math.min(500, last + 10),
        ...(procedureId ? { procedureId } : {}),
        ...(partNumber ? { partNumber } : {}),
        ...(outcome ? { outcome } : {}),
      });
      if (!live) return;
      if (!list.ok) {
        setState({ state: 'error', message: list.error.message });
        return;
      }
      const summaries = list.value.runs.filter((r) => r.outcome !== 'RUNNING').slice(0, last);
      const records: (RunRecord | null)[] = new Array<RunRecord | null>(summaries.length).fill(null);
      let next = 0;
      let done = 0;
      let failed: string | null = null;
      const worker = async (): Promise<void> => {
        while (live && failed === null && next < summaries.length) {
          const i = next++;
          const r = await client.invoke('runs.get', { runId: summaries[i]!.id });
          if (r.ok) records[i] = r.value;
          else failed = `${summaries[i]!.serialNumber}: ${r.error.message}`;
          done++;
          if (live) setState({ state: 'loading', done, of: summaries.length });
        }
      };
      await Promise.all(Array.from({ length: Math.min(PARALLEL, summaries.length) }, worker));
      if (!live) return;
      if (failed !== null) {
        setState({ state: 'error', message: failed });
        return;
      }
      const runs = summaries.map((summary, i) => ({ summary, record: records[i]! }));
      setState({ state: 'ready', runs, choices: seriesChoices(runs.map((r) => r.record)) });
    })();
    return () => {
      live = false;
    };
  }, [client, key, procedureId, partNumber, last, outcome]);
  return tagged?.key === key ? tagged.value : { state: 'loading', done: 0, of: 0 };
}

/** Every series measurement of the runs, in the newest run's order, then any the older runs add. */
export function seriesChoices(records: readonly RunRecord[]): SeriesChoice[] {
  const seen = new Map<string, SeriesChoice>();
  for (const rec of records) {
    for (const p of rec.phases) {
      for (const m of p.measurements) {
        if (!isPlottable(m)) continue;
        const key = `${p.name}.${m.name}`;
        if (!seen.has(key)) seen.set(key, { key, phase: p.name, name: m.name });
      }
    }
  }
  return [...seen.values()];
}

/** The run's measurement, from the phase's last attempt that took it (a retried phase measures again). */
export function measurementOf(rec: RunRecord, choice: SeriesChoice): Measurement | null {
  for (let i = rec.phases.length - 1; i >= 0; i--) {
    const p = rec.phases[i]!;
    if (p.name !== choice.phase) continue;
    const m = p.measurements.find((x) => x.name === choice.name);
    if (m && isPlottable(m)) return m;
  }
  return null;
}
