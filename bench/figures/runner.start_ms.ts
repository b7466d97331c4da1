/** runner.start_ms: runner process start and demo sequence load (fork to "loaded"); median of 7. */
import { fileURLToPath } from 'node:url';
import { RunnerHost } from '#station/runner/runner-host.ts';
import { median, report } from '../lib/report.ts';

const dir = fileURLToPath(new URL('../../sequences/demo-board', import.meta.url));
const samples: number[] = [];
for (let i = 0; i < 7; i++) {
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
report('runner.start_ms', median(samples), 'ms', 300, { samples: samples.map((s) => Math.round(s)) });
