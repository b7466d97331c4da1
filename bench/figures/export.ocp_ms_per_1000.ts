/**
 * export.ocp_ms_per_1000: time to turn one stored run into OCP TV 2.0 lines, per 1000
 * measurements (a run of 100 phases x 10 numeric measurements with limits), as the
 * station writes them: in chunks of whole lines (ocpChunks). After a warm-up (the station
 * exports many runs: the code is hot), median of 30 batches of 10. Beside it, the same
 * run as one string (toOcp, what runs.export returns).
 */
import { ocpChunks, toOcp } from '#station/formats/ocp.ts';
import { benchRun } from '../lib/records.ts';
import { median, report } from '../lib/report.ts';

const rec = benchRun(1, 100, 10);
const measurements = rec.phases.reduce((n, p) => n + p.measurements.length, 0);

function perRun(fn: () => unknown): number {
  for (let i = 0; i < 1000; i++) fn();
  const samples: number[] = [];
  for (let b = 0; b < 30; b++) {
    const t = performance.now();
    for (let i = 0; i < 10; i++) fn();
    samples.push((performance.now() - t) / 10);
  }
  return median(samples);
}

const text = toOcp(rec);
if (ocpChunks(rec).join('') !== text) throw new Error('ocpChunks and toOcp differ');
const chunksMs = perRun(() => ocpChunks(rec));
const stringMs = perRun(() => toOcp(rec));
report('export.ocp_ms_per_1000', (chunksMs * 1000) / measurements, 'ms', 2, {
  measurements,
  lines: text.split('\n').length - 1,
  bytes: text.length,
  chunks: ocpChunks(rec).length,
  one_string_ms_per_1000: Math.round((stringMs * 1e6) / measurements) / 1000,
});
