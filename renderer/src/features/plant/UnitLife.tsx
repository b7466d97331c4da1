import { useEffect, useRef, useState } from 'react';
import type { PlantUnit } from '#contract/plant.ts';
import { OutcomeBadge } from '../../components/Badge.tsx';
import type { PlantLive } from './plant-live.ts';
import { dayTime } from './plant-text.ts';

/**
 * A unit's whole life across the plant: every attempt at every station, oldest first, with what
 * failed, and where it is being tested now. Read again when runs for it arrive.
 */
export function UnitLife({ plant, serial }: { plant: PlantLive; serial: string }) {
  const [typed, setTyped] = useState(serial);
  const [unit, setUnit] = useState<PlantUnit | null>(null);
  const [error, setError] = useState<string | null>(null);
  const input = useRef<HTMLInputElement>(null);

  // A new serial is a new page (PlantApp keys this component by it): its state starts empty.
  useEffect(() => {
    if (!serial) {
      input.current?.focus();
      return;
    }
    let live = true;
    const load = (): void => {
      void plant.invoke('plant.unit', { serialNumber: serial }).then((r) => {
        if (!live) return;
        if (r.ok) {
          setUnit(r.value);
          setError(null);
        } else setError(r.error.message);
      });
    };
    load();
    const off = plant.onPlantEvent((e) => {
      if (e.kind === 'plant.runsArrived' && (e.data.serials === null || e.data.serials.includes(serial))) load();
      // Testing now comes from the stations' state.
      if (e.kind === 'plant.lineChanged' && e.data.stations.some((s) => s.sockets.some((k) => k.serialNumber === serial))) load();
    });
    return () => {
      live = false;
      off();
    };
  }, [plant, serial]);

  const now = new Date();
  return (
    <div className="page plant-unit">
      <div className="page-head">
        <h1>{serial ? <span className="mono">{serial}</span> : 'Unit'}</h1>
        <form
          className="plant-search"
          role="search"
          onSubmit={(e) => {
            e.preventDefault();
            const s = typed.trim();
            if (s) location.hash = `#/unit/${encodeURIComponent(s)}`;
          }}
        >
          <label htmlFor="plant-serial">Serial number</label>
          <input
            id="plant-serial"
            ref={input}
            className="mono"
            value={typed}
            onChange={(e) => setTyped(e.target.value)}
            autoComplete="off"
            spellCheck={false}
          />
          <button type="submit" className="button button--primary">
            Show its life
          </button>
        </form>
      </div>
      {error ? (
        <p className="plant-problem" role="alert">
          {error}
        </p>
      ) : null}
      {serial && !unit && !error ? <p className="plant-faint">Reading…</p> : null}
      {unit ? (
        <>
          {unit.testingNow.map((t) => (
            <p key={`${t.stationId}/${t.socket}`} className="plant-now" role="status">
              Testing now at <strong>{t.stationName}</strong> (socket {t.socket + 1}){t.phase ? `, phase ${t.phase}` : ''}, since {dayTime(t.since, now)}
            </p>
          ))}
          {unit.attempts.length === 0 ? (
            <p className="plant-empty">No station in this plant database has tested {unit.serialNumber}.</p>
          ) : (
            <>
              <p className="plant-summary">
                <span>
                  <strong>{unit.attempts.length}</strong> attempt{unit.attempts.length === 1 ? '' : 's'}
                </span>
                <span>
                  at <strong>{new Set(unit.attempts.map((a) => a.stationId)).size}</strong> station
                  {new Set(unit.attempts.map((a) => a.stationId)).size === 1 ? '' : 's'}
                </span>
                <span>
                  last: <OutcomeBadge outcome={unit.attempts.at(-1)!.outcome} />
                </span>
              </p>
              <table className="plant-table plant-attempts">
                <thead>
                  <tr>
                    <th scope="col">#</th>
                    <th scope="col">Started</th>
                    <th scope="col">Station</th>
                    <th scope="col">Procedure</th>
                    <th scope="col">Operator</th>
                    <th scope="col" className="num">
                      Duration
                    </th>
                    <th scope="col">Outcome</th>
                    <th scope="col">What failed</th>
                  </tr>
                </thead>
                <tbody>
                  {unit.attempts.map((a, i) => (
                    <tr key={a.runId} data-run={a.runId}>
                      <td className="num">{i + 1}</td>
                      <td>{dayTime(a.startedAt, now)}</td>
                      <td>
                        {a.stationName}
                        {a.socket > 0 ? ` · socket ${a.socket + 1}` : ''}
                        {a.line ? <span className="plant-faint"> · line {a.line}</span> : null}
                      </td>
                      <td>
                        {a.procedureName} v{a.procedureVersion}
                      </td>
                      <td className="mono">{a.operatorId ?? '—'}</td>
                      <td className="num">{a.durationMs === null ? '—' : `${(a.durationMs / 1000).toFixed(1)} s`}</td>
                      <td>
                        <OutcomeBadge outcome={a.outcome} />
                      </td>
                      <td>
                        {a.failing.length
                          ? a.failing.map((f) => `${f.phase}: ${f.name} = ${f.value ?? '?'}${f.units ? ` ${f.units}` : ''}`).join('; ')
                          : (a.outcomeReason ?? '')}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
              {unit.truncated ? <p className="plant-faint">Only the first {unit.attempts.length} attempts are shown.</p> : null}
            </>
          )}
        </>
      ) : null}
    </div>
  );
}
