/**
 * measurement.overhead_us: 100 phases x 10 numeric measurements with limits and units,
 * minus the same 100 phases without measurements, per measurement. A station runs unit
 * after unit, so each side is the warmed-up station: 3 runs warm up (JIT), then the best
 * of 20 (a run is ~10 ms); the median difference is reported beside it.
 */
import { benchStation, timeRun } from '../lib/station-run.ts';
import { report } from '../lib/report.ts';

const WARMUP = 3;
const SAMPLES = 20;

async function runs(procedureId: string): Promise<number[]> {
  const { station, close } = await benchStation(procedureId);
  const samples: number[] = [];
  for (let i = 0; i < WARMUP + SAMPLES; i++) {
    const { ms, outcome } = await timeRun(station, `BENCH-${i}`);
    if (outcome !== 'PASS') throw new Error(`bench run ended ${outcome}`);
    if (i >= WARMUP) samples.push(ms);
  }
  await close();
  return samples.sort((a, b) => a - b);
}

const withMeasurements = await runs('measure-100x10');
const without = await runs('trivial-100');
const median = (s: number[]) => s[Math.floor(s.length / 2)]!;
// ms per 1000 measurements = µs per measurement.
report('measurement.overhead_us', withMeasurements[0]! - without[0]!, 'us', 4, {
  median_us: Math.round((median(withMeasurements) - median(without)) * 1000) / 1000,
  run_ms: withMeasurements[0],
  baseline_ms: without[0],
});
