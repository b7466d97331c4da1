/**
 * measurement.overhead_us: 100 phases x 10 numeric measurements with limits and units,
 * minus the same 100 phases without measurements, per measurement. A station runs unit
 * after unit, so each side is the warmed-up station: 3 runs warm up (JIT), then 20 runs
 * (a run is ~10 ms); the value is the difference of the medians, the difference of the
 * best runs beside it.
 */
import { benchStation, timeRun } from '../lib/station-run.ts';
import { median, report } from '../lib/report.ts';

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
const round = (x: number): number => Math.round(x * 1000) / 1000;
// ms per 1000 measurements = µs per measurement.
report('measurement.overhead_us', median(withMeasurements) - median(without), 'us', 3, {
  best: round(withMeasurements[0]! - without[0]!),
  spread: round(withMeasurements.at(-1)! - withMeasurements[0]!),
  samples: withMeasurements.length,
  run_ms: round(median(withMeasurements)),
  baseline_ms: round(median(without)),
});
