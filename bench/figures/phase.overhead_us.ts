/** phase.overhead_us: 1000 trivial phases through the runner, with live events to the station and durable journaling; per phase, best of 5. */
import { benchStation, timeRun } from '../lib/station-run.ts';
import { report } from '../lib/report.ts';

const { station, close } = await benchStation('trivial-1000');
const samples: number[] = [];
for (let i = 0; i < 6; i++) {
  const { ms, outcome } = await timeRun(station, `BENCH-${i}`);
  if (outcome !== 'PASS') throw new Error(`bench run ended ${outcome}`);
  if (i > 0) samples.push((ms * 1000) / 1000); // the first run warms up
}
await close();
report('phase.overhead_us', Math.min(...samples), 'us', 45, { runs_us: samples.map((s) => Math.round(s * 10) / 10) });
