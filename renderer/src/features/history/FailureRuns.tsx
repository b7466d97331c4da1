import { useEffect, useRef, useState } from 'react';
import type { RunSummary } from '#contract/records.ts';
import { useStationClient } from '../../api/station-context.tsx';
import { RunSummaryCells } from '../../components/RunSummaryCells.tsx';
import { statsFilter } from '../../components/stats-query.ts';
import { paretoHref, runHref, unitHref, type FailureLink } from '../../router.ts';

const PAGE = 50;

const WHAT: Record<FailureLink['by'], string> = { measurement: 'measurement', phase: 'phase', failureCode: 'failure code' };

/** History for one bar of the Pareto: the runs that failed that measurement, phase or failure code, newest first. */
export function FailureRuns({ failure, runsEnded }: { failure: FailureLink; runsEnded: number }) {
  const client = useStationClient();
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);
  const key = JSON.stringify([failure, runsEnded]);
  const [state, setState] = useState<{ key: string; runs: RunSummary[]; more: boolean; error: string | null } | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  const query = { ...statsFilter(failure), groupBy: failure.by, key: failure.key };
  const queryKey = JSON.stringify(query);
  useEffect(() => {
    let live = true;
    void client.invoke('stats.failureRuns', { ...(JSON.parse(queryKey) as typeof query), limit: PAGE }).then((r) => {
      if (live) setState({ key, runs: r.ok ? r.value.runs : [], more: r.ok && r.value.runs.length === PAGE, error: r.ok ? null : r.error.message });
    });
    return () => {
      live = false;
    };
    // `key` carries the failure and the refresh; `queryKey` the request built from it.
  }, [client, key, queryKey]);
  const loadMore = async (): Promise<void> => {
    const last = state?.runs.at(-1);
    if (!state || !last) return;
    setLoadingMore(true);
    const r = await client.invoke('stats.failureRuns', { ...query, limit: PAGE, before: last.startedAt });
    setLoadingMore(false);
    if (r.ok) {
      const seen = new Set(state.runs.map((x) => x.id));
      setState({ ...state, runs: [...state.runs, ...r.value.runs.filter((x) => !seen.has(x.id))], more: r.value.runs.length === PAGE });
    } else setState({ ...state, error: r.error.message });
  };
  const what = failure.key ? `${WHAT[failure.by]} ${failure.key}` : 'no failure code';
  const runs = state?.runs ?? [];
  return (
    <section className="page" aria-labelledby="history-title">
      <a className="back-link" href={paretoHref(failure, failure.by)}>
        ← Failure Pareto
      </a>
      <div className="page-head">
        <h1 id="history-title" ref={heading} tabIndex={-1}>
          History
        </h1>
      </div>
      <p className="history-failure" role="status">
        Runs of <span className="mono">{failure.procedureId}</span>
        {failure.version ? ` v${failure.version}` : ''} that failed <span className="mono strong">{what}</span>
        {failure.from || failure.to ? `, ${failure.from ?? 'the start'} to ${failure.to ?? 'today'}` : ''}
        {state && !state.error ? ` · ${runs.length}${state.more ? '+' : ''} run${runs.length === 1 ? '' : 's'}, newest first` : ''}.{' '}
        <a href="#/history">All runs</a>
      </p>
      {state?.error ? (
        <p className="field-error" role="alert">
          {state.error}
        </p>
      ) : null}
      {state === null ? <p className="list-meta">Loading runs…</p> : null}
      {runs.length > 0 ? (
        <table className="runs" aria-label="Runs">
          <thead>
            <tr>
              <th scope="col">Serial number</th>
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
            {runs.map((run) => (
              <tr key={run.id} className={`run-row run-row--${run.outcome.toLowerCase()}`}>
                <th scope="row">
                  <a className="mono run-link" href={runHref(run.id)}>
                    {run.serialNumber}
                  </a>{' '}
                  <a className="unit-link small" href={unitHref(run.serialNumber)} title={`Every attempt of ${run.serialNumber}`}>
                    all attempts
                  </a>
                </th>
                <RunSummaryCells run={run} />
              </tr>
            ))}
          </tbody>
        </table>
      ) : state && !state.error ? (
        <p className="list-meta">No runs.</p>
      ) : null}
      {state?.more ? (
        <div className="load-more">
          <button type="button" className="button button--secondary" onClick={() => void loadMore()} disabled={loadingMore}>
            {loadingMore ? 'Loading…' : 'Load more'}
          </button>
        </div>
      ) : null}
    </section>
  );
}
