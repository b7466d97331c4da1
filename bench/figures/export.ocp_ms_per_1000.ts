/**
 * export.ocp_ms_per_1000: time to turn one stored run into OCP TV 2.0 lines, per 1000
 * measurements (a run of 100 phases x 10 numeric measurements with limits). After a
 * warm-up (the station exports many runs: the code is hot), median of 30 batches of 10.
 */
import { toOcp } from '#station/formats/ocp.ts';
import { benchRun } from '../lib/records.ts';
import { median, report } from '../lib/report.ts';

const rec = benchRun(1, 100, 10);
const measurements = rec.phases.reduce((n, p) => n + p.measurements.length, 0);
let bytes = 0;
for (let i = 0; i < 1000; i++) bytes = toOcp(rec).length;
const samples: number[] = [];
for (let b = 0; b < 30; b++) {
  const t = performance.now();
  for (let i = 0; i < 10; i++) toOcp(rec);
  samples.push((performance.now() - t) / 10);
}
const ms = median(samples);
report('export.ocp_ms_per_1000', (ms * 1000) / measurements, 'ms', 2, { measurements, lines: toOcp(rec).split('\n').length - 1, bytes, run_ms: ms });
