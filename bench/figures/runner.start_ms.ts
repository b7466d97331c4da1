/**
 * runner.start_ms: a runner process from fork to "loaded" with the demo procedure (its modules,
 * procedure.yaml, phases.ts, the simulated instruments opened), as a socket starts one. One start
 * warms Node's compile cache and the procedure caches (first_ms beside), then the median of 7.
 */
import { fileURLToPath } from 'node:url';
import { RunnerHost } from '#station/runner/runner-host.ts';
import { median, report, spreadOf } from '../lib/report.ts';

const dir = fileURLToPath(new URL('../../sequences/demo-board', import.meta.url));
const samples: number[] = [];
for (let i = 0; i < 8; i++) {
  const t0 = performance.now();
  await new Promise<void>((resolve, reject) => {
    const host: RunnerHost = new RunnerHost('bench', {
      message: (m) => {
        if (m.type === 'loaded') {
          samples.push(performance.now() - t0);
          void host.stop().then(resolve);
        } else if (m.type === 'loadFailed') reject(new Error(m.error.message));
      },
      exit: () => {},
      error: (m) => reject(new Error(m)),
    });
    host.start();
    host.send({ type: 'load', dir, instruments: {} });
  });
}
const [first, ...runs] = samples;
report('runner.start_ms', median(runs), 'ms', 100, { ...spreadOf(runs, 0), first_ms: Math.round(first!), runs_ms: runs.map(Math.round) });
