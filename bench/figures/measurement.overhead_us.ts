/**
 * measurement.overhead_us: 100 phases x 10 numeric measurements with limits and units,
 * minus the same 100 phases without measurements, per measurement; best of 5.
 */
import { benchStation, timeRun } from '../lib/station-run.ts';
import { report } from '../lib/report.ts';

async function best(procedureId: string): Promise<number> {
  const { station, close } = await benchStation(procedureId);
  const samples: number[] = [];
  for (let i = 0; i < 6; i++) {
    const { ms, outcome } = await timeRun(station, `BENCH-${i}`);
    if (outcome !== 'PASS') throw new Error(`bench run ended ${outcome}`);
    if (i > 0) samples.push(ms);
  }
  await close();
  return Math.min(...samples);
}

const withMeasurements = await best('measure-100x10');
const without = await best('trivial-100');
report('measurement.overhead_us', ((withMeasurements - without) * 1000) / 1000, 'us', 4, { run_ms: withMeasurements, baseline_ms: without });
