import { useState } from 'react';
import type { StationSnapshot } from '#contract/commands.ts';
import { runHref } from '../../router.ts';

type Recovered = StationSnapshot['recoveredRuns'];

/**
 * After a restart: which unit's run the stop cut off, on which socket and in which phase,
 * so the operator tests it again. Stays until the operator has read it (OK).
 */
export function RecoveredRunsNotice({ runs }: { runs: Recovered }) {
  const [read, setRead] = useState<ReadonlySet<string>>(new Set());
  const open = runs.filter((r) => !read.has(r.runId));
  if (open.length === 0) return null;
  return (
    <section className="recovered-notice" role="alert" aria-labelledby="recovered-notice-title">
      <h2 id="recovered-notice-title">{open.length === 1 ? 'A unit’s test was cut off when the station stopped' : `${open.length} units’ tests were cut off when the station stopped`}</h2>
      <ul>
        {open.map((r) => (
          <li key={r.runId}>
            <a className="mono recovered-serial" href={runHref(r.runId)}>
              {r.serialNumber}
            </a>{' '}
            on socket {r.socket + 1}
            {r.phase ? (
              <>
                , during <span className="mono">{r.phase}</span>
              </>
            ) : null}
            : recorded as Aborted. Test this unit again.
          </li>
        ))}
      </ul>
      <button type="button" className="button button--secondary" onClick={() => setRead(new Set(runs.map((r) => r.runId)))}>
        OK
      </button>
    </section>
  );
}
