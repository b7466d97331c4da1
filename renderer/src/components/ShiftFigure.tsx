import { useEffect, useState } from 'react';
import type { ShiftYield } from '#contract/stats.ts';
import { useStationClient } from '../api/station-context.tsx';
import './ShiftFigure.css';

/**
 * The current shift's first pass yield and unit count, small, in the header: from the snapshot,
 * then read again (`stats.shift`) as each run ends. Nothing while the station has no figure.
 */
export function ShiftFigure({ initial, runsEnded }: { initial: ShiftYield | null; runsEnded: number }) {
  const client = useStationClient();
  const [read, setRead] = useState<{ at: number; value: ShiftYield | null } | null>(null);
  useEffect(() => {
    if (runsEnded === 0) return;
    let live = true;
    void client.invoke('stats.shift', {}).then((r) => {
      if (live && r.ok) setRead({ at: runsEnded, value: r.value });
    });
    return () => {
      live = false;
    };
  }, [client, runsEnded]);
  const s = read?.value ?? initial;
  if (!s) return null;
  const fpy = s.firstPassYield === null ? '—' : `${(s.firstPassYield * 100).toFixed(1)} %`;
  const name = s.shift ? `Shift ${s.shift}` : 'Today';
  return (
    <div
      className="shift-figure"
      role="status"
      aria-label="This shift"
      title={`${name}: ${s.firstPassUnits} of ${s.unitsTested} units passed on their first attempt`}
    >
      <span className="shift-figure-value num">FPY {fpy}</span>
      <span className="shift-figure-count num">
        {name} · {s.unitsTested} unit{s.unitsTested === 1 ? '' : 's'}
      </span>
    </div>
  );
}
