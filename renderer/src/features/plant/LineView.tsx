import { memo } from 'react';
import type { PlantLine, PlantStation } from '#contract/plant.ts';
import { OutcomeBadge } from '../../components/Badge.tsx';
import type { PlantView } from './plant-live.ts';
import { isTesting, socketText, stationStatus, yieldText } from './plant-text.ts';

/**
 * The line: every station's live state (idle, testing which unit and phase, silent or stopped
 * since when), grouped by line, today's yield per station and per procedure. It changes only
 * when the plant process says the database changed.
 */
export function LineView({ view }: { view: PlantView }) {
  const line = view.line;
  if (!line) {
    return (
      <section className="page page--center" aria-busy={view.problem === null}>
        <p className="connecting-title">{view.problem ?? 'Reading the line…'}</p>
      </section>
    );
  }
  return <LineBody line={line} problem={view.problem} />;
}

const LineBody = memo(function LineBody({ line, problem }: { line: PlantLine; problem: string | null }) {
  const groups = new Map<string, PlantStation[]>();
  for (const s of line.stations) groups.set(s.line, [...(groups.get(s.line) ?? []), s]);
  const tones = line.stations.map((s) => stationStatus(s).tone);
  const total = line.stations.reduce(
    (a, s) => ({ runs: a.runs + s.today.runs, passed: a.passed + s.today.passed, failed: a.failed + s.today.failed, errors: a.errors + s.today.errors }),
    {
      runs: 0,
      passed: 0,
      failed: 0,
      errors: 0,
    },
  );
  return (
    <div className="page plant-line">
      <div className="page-head">
        <h1>Line</h1>
        <p className="plant-summary" aria-label="Summary">
          <span>
            <strong>{line.stations.length}</strong> stations
          </span>
          <span>
            <strong>{tones.filter((t) => t === 'testing').length}</strong> testing
          </span>
          <span className={tones.includes('silent') ? 'plant-summary-alert' : undefined}>
            <strong>{tones.filter((t) => t === 'silent').length}</strong> silent
          </span>
          <span>
            Today <strong>{total.runs}</strong> runs, yield <strong>{yieldText(total)}</strong>
          </span>
        </p>
      </div>
      {problem ? (
        <p className="plant-problem" role="alert">
          {problem}
        </p>
      ) : null}
      {line.stations.length === 0 ? (
        <p className="plant-empty">
          No station has reported to this plant database yet. A station reports once a PostgreSQL upload target points here (Settings → Upload targets).
        </p>
      ) : null}
      {[...groups].map(([name, stations]) => (
        <section key={name} className="plant-group" aria-label={name ? `Line ${name}` : 'Stations without a line'}>
          <h2>{name ? `Line ${name}` : 'No line set'}</h2>
          <ul className="plant-stations">
            {stations.map((s) => (
              <StationCard key={s.id} s={s} />
            ))}
          </ul>
        </section>
      ))}
      {line.byProcedure.length > 0 ? (
        <section className="plant-group" aria-label="Today per procedure">
          <h2>Today per procedure</h2>
          <table className="plant-table">
            <thead>
              <tr>
                <th scope="col">Procedure</th>
                <th scope="col" className="num">
                  Runs
                </th>
                <th scope="col" className="num">
                  Pass
                </th>
                <th scope="col" className="num">
                  Fail
                </th>
                <th scope="col" className="num">
                  Error / aborted
                </th>
                <th scope="col" className="num">
                  Yield
                </th>
              </tr>
            </thead>
            <tbody>
              {line.byProcedure.map((p) => (
                <tr key={p.procedureId}>
                  <td>
                    {p.procedureName} <span className="mono plant-faint">{p.procedureId}</span>
                  </td>
                  <td className="num">{p.runs}</td>
                  <td className="num">{p.passed}</td>
                  <td className="num">{p.failed}</td>
                  <td className="num">{p.errors}</td>
                  <td className="num">
                    <strong>{yieldText(p)}</strong>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      ) : null}
    </div>
  );
});

const StationCard = memo(function StationCard({ s }: { s: PlantStation }) {
  const status = stationStatus(s);
  const quiet = status.tone === 'silent' || status.tone === 'stopped';
  return (
    <li className={`plant-station plant-station--${status.tone}`} data-station={s.id}>
      <div className="plant-station-head">
        <div>
          <h3>{s.name}</h3>
          <span className="mono plant-faint">{s.id}</span>
        </div>
        <span className={`plant-status plant-status--${status.tone}`}>{status.text}</span>
      </div>
      <ul className="plant-sockets" aria-label={`${s.name} sockets`}>
        {s.sockets.map((k) => (
          <li key={k.socket} className={quiet ? 'plant-socket plant-socket--quiet' : 'plant-socket'}>
            <span className="plant-socket-n">{s.sockets.length > 1 ? `Socket ${k.socket + 1}` : 'Socket'}</span>
            <span className="plant-socket-state">{quiet ? `Last known: ${socketText(k)}` : socketText(k)}</span>
            {k.serialNumber ? (
              <a className="mono plant-serial" href={`#/unit/${encodeURIComponent(k.serialNumber)}`}>
                {k.serialNumber}
              </a>
            ) : (
              <span className="plant-faint">no unit yet</span>
            )}
            {!isTesting(k) && k.lastOutcome ? <OutcomeBadge outcome={k.lastOutcome} /> : null}
            {k.procedureName ? (
              <span className="plant-proc">
                {k.procedureName} v{k.procedureVersion}
              </span>
            ) : null}
          </li>
        ))}
      </ul>
      <p className="plant-today">
        Today: <strong>{s.today.runs}</strong> {s.today.runs === 1 ? 'run' : 'runs'} · {s.today.passed} pass · {s.today.failed} fail
        {s.today.errors ? ` · ${s.today.errors} error` : ''} · yield <strong>{yieldText(s.today)}</strong>
      </p>
    </li>
  );
});
