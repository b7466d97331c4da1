import { useEffect, useState } from 'react';
import type { ShiftYield as ShiftFigures } from '#contract/stats.ts';
import { useEventTick, useStationClient } from '../api/station-context.tsx';
import './ShiftYield.css';

/**
 * The current shift's first pass yield and unit count, small, for the operator (`stats.shift`,
 * read again when a run ends). Nothing when the station does not give it (no right to read it).
 */
export function ShiftYield({ initial }: { initial: ShiftFigures | null }) {
  const client = useStationClient();
  const ended = useEventTick('run.ended');
  const [figures, setFigures] = useState<ShiftFigures | null>(initial);
  useEffect(() => {
    let live = true;
    void client.invoke('stats.shift', {}).then((r) => {
      if (live && r.ok) setFigures(r.value);
    });
    return () => {
      live = false;
    };
  }, [client, ended]);
  if (!figures) return null;
  const fpy = figures.firstPassYield === null ? '–' : `${Math.round(figures.firstPassYield * 1000) / 10} %`;
  const shift = figures.shift === null ? 'Today' : `Shift ${figures.shift}`;
  const units = `${figures.unitsTested} ${figures.unitsTested === 1 ? 'unit' : 'units'}`;
  return (
    <div className="shift-yield" role="status" aria-label="This shift" title={`First pass yield of the units first tested since ${new Date(figures.since).toLocaleString()}`}>
      <span className="shift-yield-name">{shift}</span>
      <span>
        <strong>{fpy}</strong> first pass · {units}
      </span>
    </div>
  );
}
