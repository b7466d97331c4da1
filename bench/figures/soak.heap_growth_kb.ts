/**
 * soak.heap_growth_kb: an accelerated soak (a tick every 0.2 ms, logging and measuring
 * on each) through the engine; heap after 20,000 ticks minus heap after 2,000.
 * Flat memory over hours means this stays near zero.
 */
import { runProcedure } from '#station/engine/engine.ts';
import { planPhases } from '#station/engine/plan.ts';
import { ProcedureFileSchema } from '#contract/procedure.ts';
import type { SoakPhase } from '#station/engine/sdk.ts';
import { report } from '../lib/report.ts';

const TICKS = 20_000;
const heap = () => {
  (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage().heapUsed;
};

let early = 0;
const soak: SoakPhase = {
  every(ctx, tick) {
    ctx.log.info(`tick ${tick}`);
    ctx.measure('temperature', 40 + (tick % 10) / 10);
    if (tick === 2_000) early = heap();
    return tick >= TICKS ? 'STOP' : undefined;
  },
};
const file = ProcedureFileSchema.parse({
  id: 'soak-bench',
  name: 'Soak bench',
  version: '1',
  phases: [{ name: 'soak', soak: { durationS: 3600, everyS: 0.0002 }, measurements: [{ name: 'temperature', units: 'C', upper: 85 }] }],
});
let events = 0;
const t0 = performance.now();
const result = await runProcedure({
  runId: 'bench',
  unit: { serialNumber: 'BENCH' },
  procedure: file,
  plan: planPhases(file),
  phases: { soak },
  instruments: {},
  emit: () => {
    events++;
  },
  askOperator: () => Promise.reject(new Error('no operator in a bench')),
  signal: new AbortController().signal,
});
const late = heap();
if (result.outcome !== 'PASS') throw new Error(`soak ended ${result.outcome}`);
report('soak.heap_growth_kb', (late - early) / 1024, 'kB', null, { ticks: TICKS, events, seconds: Math.round(performance.now() - t0) / 1000, heap_mb: Math.round(late / 1e5) / 10 });
