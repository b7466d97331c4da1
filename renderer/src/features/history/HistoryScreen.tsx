import { useEffect, useRef, useState } from 'react';
import type { RunSummary } from '#contract/records.ts';
import { useStationClient } from '../../api/station-context.tsx';
import { OutcomeBadge } from '../../components/Badge.tsx';
import { formatDateTime, formatDuration } from '../../components/format.ts';
import { runHref, unitHref } from '../../router.ts';

const PAGE = 50;

interface State {
  /** Which search (prefix and refresh) these runs answer. */
  key: string | null;
  runs: RunSummary[];
  /** The last page came back full: there may be older runs. */
  more: boolean;
  loadingMore: boolean;
  error: string | null;
}

/** Recent runs, newest first, searchable by serial prefix, paged by start time. */
export function HistoryScreen({ runsEnded }: { runsEnded: number }) {
  const client = useStationClient();
  const [query, setQuery] = useState('');
  const [prefix, setPrefix] = useState('');
  const [state, setState] = useState<State>({ key: null, runs: [], more: false, loadingMore: false, error: null });
  /** Once the operator pages further, the list stops refreshing itself at that run count. */
  const [pinned, setPinned] = useState<number | null>(null);
  const heading = useRef<HTMLHeadingElement>(null);

  useEffect(() => {
    heading.current?.focus();
  }, []);

  // Debounce typing; a scanner's Enter applies at once (see onSubmit).
  useEffect(() => {
    const t = setTimeout(() => {
      setPrefix(query.trim());
      setPinned(null);
    }, 250);
    return () => clearTimeout(t);
  }, [query]);

  // First page: on open, on a new search, and when a run ends (unless the operator paged further).
  const key = `${prefix}\u0000${pinned ?? runsEnded}`;
  useEffect(() => {
    let live = true;
    void client.invoke('runs.list', { limit: PAGE, ...(prefix ? { serialPrefix: prefix } : {}) }).then((r) => {
      if (!live) return;
      if (r.ok) setState({ key, runs: r.value.runs, more: r.value.runs.length === PAGE, loadingMore: false, error: null });
      else setState((s) => ({ ...s, key, error: r.error.message }));
    });
    return () => {
      live = false;
    };
    // `key` carries prefix and the refresh trigger.
  }, [client, key, prefix]);
  const loading = state.key !== key || state.loadingMore;

  const loadMore = async (): Promise<void> => {
    const last = state.runs.at(-1);
    if (!last) return;
    setState((s) => ({ ...s, loadingMore: true }));
    const r = await client.invoke('runs.list', { limit: PAGE, before: last.startedAt, ...(prefix ? { serialPrefix: prefix } : {}) });
    if (r.ok) {
      setPinned(pinned ?? runsEnded);
      setState((s) => {
        const seen = new Set(s.runs.map((x) => x.id));
        return {
          key: `${prefix}\u0000${pinned ?? runsEnded}`,
          runs: [...s.runs, ...r.value.runs.filter((x) => !seen.has(x.id))],
          more: r.value.runs.length === PAGE,
          loadingMore: false,
          error: null,
        };
      });
    } else setState((s) => ({ ...s, loadingMore: false, error: r.error.message }));
  };

  return (
    <section className="page" aria-labelledby="history-title">
      <div className="page-head">
        <h1 id="history-title" ref={heading} tabIndex={-1}>
          History
        </h1>
        <form
          className="search"
          role="search"
          onSubmit={(e) => {
            e.preventDefault();
            setPrefix(query.trim());
            setPinned(null);
          }}
        >
          <label htmlFor="history-search">Search serial number</label>
          <input
            id="history-search"
            type="search"
            value={query}
            onChange={(e) => setQuery(e.target.value)}
            placeholder="Starts with…"
            autoComplete="off"
            spellCheck={false}
          />
        </form>
      </div>
      {state.error ? (
        <p className="field-error" role="alert">
          {state.error}
        </p>
      ) : null}
      <p className="list-meta" role="status">
        {loading && state.runs.length === 0
          ? 'Loading runs…'
          : state.runs.length === 0
            ? prefix
              ? `No runs with a serial number starting “${prefix}”.`
              : 'No runs yet. Results appear here as units are tested.'
            : `${state.runs.length}${state.more ? '+' : ''} run${state.runs.length === 1 ? '' : 's'}${prefix ? ` with serial starting “${prefix}”` : ''}, newest first`}
      </p>
      {state.runs.length > 0 ? (
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
            {state.runs.map((run) => (
              <tr
                key={run.id}
                className={`run-row run-row--${run.outcome.toLowerCase()}`}
                onClick={(e) => {
                  // The serial's link is the keyboard path; the whole row is a mouse target.
                  if (!(e.target instanceof HTMLAnchorElement)) location.hash = runHref(run.id);
                }}
              >
                <th scope="row">
                  <a className="mono run-link" href={runHref(run.id)}>
                    {run.serialNumber}
                  </a>{' '}
                  <a className="unit-link small" href={unitHref(run.serialNumber)} aria-label={`All attempts of ${run.serialNumber}`}>
                    all attempts
                  </a>
                </th>
                <td>
                  <OutcomeBadge outcome={run.outcome} />
                </td>
                <td className="num">{formatDateTime(run.startedAt)}</td>
                <td className="num">{formatDuration(run.durationMs)}</td>
                <td>
                  {run.procedureName} <span className="muted">v{run.procedureVersion}</span>
                </td>
                <td className="muted reason-cell">{run.outcomeReason ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {state.more ? (
        <div className="load-more">
          <button type="button" className="button button--secondary" onClick={() => void loadMore()} disabled={loading}>
            {loading ? 'Loading…' : 'Load more'}
          </button>
        </div>
      ) : null}
    </section>
  );
}
