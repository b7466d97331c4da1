/**
 * The bench page of chart.series_100k_ms (built by the bench with Vite, served on loopback):
 * the kit's I-MR control chart, as the SPC page draws it, given its data by the bench.
 * `window.__render(data)` mounts a fresh chart and resolves with the time from the call to the
 * first frame painted with it (the task after that frame: its style, layout and paint are done).
 */
import { flushSync } from 'react-dom';
import { createRoot } from 'react-dom/client';
import { ControlChart } from '../../../renderer/src/components/charts/ControlChart.tsx';
import type { ControlSegment, Violation } from '../../../renderer/src/components/charts/control-model.ts';
import '../../../renderer/src/styles.css';

interface BenchData {
  values: number[];
  segments: ControlSegment[];
  violations: Violation[];
  ruleNames: Record<number, string>;
}

declare global {
  interface Window {
    __render(data: BenchData): Promise<number>;
  }
}

const root = createRoot(document.getElementById('root')!);
let key = 0;

const nextFrame = (): Promise<void> => new Promise((resolve) => requestAnimationFrame(() => resolve()));

/** The task after the next frame: that frame is painted by then. */
const afterPaint = (): Promise<number> =>
  new Promise((resolve) =>
    requestAnimationFrame(() => {
      const ch = new MessageChannel();
      ch.port1.onmessage = () => resolve(performance.now());
      ch.port2.postMessage(0);
    }),
  );

window.__render = async (data) => {
  flushSync(() => root.render(null));
  await nextFrame();
  await nextFrame();
  const t0 = performance.now();
  flushSync(() =>
    root.render(
      <ControlChart
        key={++key}
        title="v_3v3: individuals and moving range"
        y={{ label: 'v_3v3', units: 'V' }}
        values={data.values}
        segments={data.segments}
        violations={data.violations}
        ruleNames={data.ruleNames}
      />,
    ),
  );
  return (await afterPaint()) - t0;
};
