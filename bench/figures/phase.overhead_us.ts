/**
 * phase.overhead_us: 1000 trivial phases through the runner, with live events to the
 * station and durable journaling; per phase. A station runs unit after unit, so the
 * figure is the warmed-up station: 3 runs warm up (JIT), then the best of 10.
 */
import { benchStation, timeRun } from '../lib/station-run.ts';
import { report } from '../lib/report.ts';

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
const sorted = [...samples].sort((a, b) => a - b);
report('phase.overhead_us', sorted[0]!, 'us', 45, {
  median_us: Math.round(sorted[Math.floor(sorted.length / 2)]! * 10) / 10,
  runs_us: samples.map((s) => Math.round(s * 10) / 10),
});
