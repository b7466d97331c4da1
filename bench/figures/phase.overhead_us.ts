/**
 * phase.overhead_us: 1000 trivial phases through the runner, with live events to the
 * station and durable journaling; per phase. A station runs unit after unit, so the
 * figure is the warmed-up station: 3 runs warm up (JIT), then the median of 10 (the best
 * and the spread beside it).
 */
import { benchStation, timeRun } from '../lib/station-run.ts';
import { median, report, spreadOf } from '../lib/report.ts';

const WARMUP = 3;
const SAMPLES = 10;
const { station, close } = await benchStation('trivial-1000');
const samples: number[] = [];
for (let i = 0; i < WARMUP + SAMPLES; i++) {
  const { ms, outcome } = await timeRun(station, `BENCH-${i}`);
  if (outcome !== 'PASS') throw new Error(`bench run ended ${outcome}`);
  if (i >= WARMUP) samples.push((ms * 1000) / 1000);
}
await close();
report('phase.overhead_us', median(samples), 'us', 30, {
  ...spreadOf(samples),
  runs_us: samples.map((s) => Math.round(s * 10) / 10),
});
