import { useEffect, useRef, useState } from 'react';
import type { RunSummary } from '#contract/records.ts';
import { useStationClient } from '../../api/station-context.tsx';
import { RunSummaryCells } from '../../components/RunSummaryCells.tsx';
import { runHref } from '../../router.ts';

/** Every attempt of one serial number, oldest first: how a unit got to where it is. */
export function UnitPage({ serial, runsEnded }: { serial: string; runsEnded: number }) {
  const client = useStationClient();
  const [runs, setRuns] = useState<RunSummary[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const heading = useRef<HTMLHeadingElement>(null);

  useEffect(() => {
    heading.current?.focus();
  }, []);

  // Reloads when a run ends: the unit may just have been tested again.
  useEffect(() => {
    let live = true;
    void client.invoke('units.history', { serialNumber: serial }).then((r) => {
      if (!live) return;
      if (r.ok) {
        setRuns(r.value.runs);
        setError(null);
      } else setError(r.error.message);
    });
    return () => {
      live = false;
    };
  }, [client, serial, runsEnded]);

  const last = runs?.at(-1);
  return (
    <section className="page" aria-labelledby="unit-title">
      <a className="back-link" href="#/history">
        ← History
      </a>
      <p className="run-kicker">Unit</p>
      <h1 id="unit-title" ref={heading} tabIndex={-1} className="mono run-serial">
        {serial}
      </h1>
      {error ? (
        <p className="field-error" role="alert">
          {error}
        </p>
      ) : null}
      <p className="list-meta" role="status">
        {runs === null
          ? error
            ? ''
            : 'Loading attempts…'
          : runs.length === 0
            ? 'This unit has not been tested on this station.'
            : `${runs.length} attempt${runs.length === 1 ? '' : 's'}, oldest first${last ? `; latest: ${last.outcome === 'RUNNING' ? 'running' : last.outcome.toLowerCase()}` : ''}`}
      </p>
      {runs && runs.length > 0 ? (
        <table className="runs" aria-label="Attempts">
          <thead>
            <tr>
              <th scope="col">Attempt</th>
              <th scope="col">Result</th>
              <th scope="col">Started</th>
              <th scope="col" className="num">
                Duration
              </th>
              <th scope="col">Procedure</th>
              <th scope="col">Reason</th>
            </tr>
          </thead>
          <tbody>
            {runs.map((run, i) => (
              <tr
                key={run.id}
                className={`run-row run-row--${run.outcome.toLowerCase()}`}
                onClick={(e) => {
                  // The attempt's link is the keyboard path; the whole row is a mouse target.
                  if (!(e.target instanceof HTMLAnchorElement)) location.hash = runHref(run.id);
                }}
              >
                <th scope="row">
                  <a className="run-link" href={runHref(run.id)}>
                    Attempt {i + 1}
                  </a>
                </th>
                <RunSummaryCells run={run} />
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}
