import { useStatsAnswer } from '../../components/use-stats-answer.ts';
import { useEffect, useMemo, useRef, useState } from 'react';
import type { MeasurementListItem, SpcResult } from '#contract/stats.ts';
import { useStationClient, useStationView } from '../../api/station-context.tsx';
import { DataTable } from '../../components/DataTable.tsx';
import { StatsFilters } from '../../components/StatsFilters.tsx';
import { count, statsFilter } from '../../components/stats-query.ts';
import { formatDateTime } from '../../components/format.ts';
import { spcHref, type StatsQuery } from '../../router.ts';
import { SpcSegments } from './SpcSegments.tsx';
import { SpcControlChart } from './SpcControlChart.tsx';
import { LimitChanges } from './LimitChanges.tsx';
import './spc.css';

interface Props {
  query: StatsQuery;
  measurement: string | undefined;
}

/**
 * SPC of one numeric measurement of a procedure: per limit version the capability figures and a
 * histogram with the limits and the marginal band, then the I-MR chart across every version
 * with the points that break a run rule marked and named, and the limit changes as markers.
 */
export function SpcPage({ query, measurement }: Props) {
  const client = useStationClient();
  const view = useStationView();
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);
  const procedureId = query.procedureId ?? view.procedure?.id ?? null;

  const [measurements, setMeasurements] = useState<{ procedureId: string; list: MeasurementListItem[]; error: string | null } | null>(null);
  useEffect(() => {
    if (!procedureId) return;
    let live = true;
    void client.invoke('stats.measurements', { procedureId }).then((r) => {
      if (live) setMeasurements({ procedureId, list: r.ok ? r.value.measurements : [], error: r.ok ? null : r.error.message });
    });
    return () => {
      live = false;
    };
  }, [client, procedureId]);
  const list = measurements?.procedureId === procedureId ? measurements : null;

  // The request as text: the effect runs again when it changes, or on Update. Not at each run's
  // end: a chart being read (zoomed, its table paged) is not redrawn under the reader.
  const request = procedureId && measurement ? JSON.stringify({ ...statsFilter({ ...query, procedureId }), measurement }) : null;
  const [runsEnded, setRunsEnded] = useState(view.runsEnded);
  const newer = view.runsEnded - runsEnded;
  const { current, latest } = useStatsAnswer('stats.spc', request, runsEnded);
  // While a newer answer is on its way (a run ended), the one on screen stays.
  const result = current?.result ?? (latest && latest.measurement === measurement && latest.procedureId === procedureId ? latest : null);
  const apply = (q: StatsQuery, m: string | undefined = measurement): void => {
    location.hash = spcHref(q, m);
  };

  return (
    <section className="page stats-page spc-page" aria-labelledby="spc-title">
      <div className="page-head">
        <h1 id="spc-title" ref={heading} tabIndex={-1}>
          SPC{measurement ? <span className="mono spc-title-measurement"> {measurement}</span> : null}
        </h1>
      </div>
      {procedureId === null ? (
        <p className="list-meta">No procedure is loaded: choose one on the Procedures screen.</p>
      ) : (
        <>
          <StatsFilters query={{ ...query, procedureId }} onApply={(q) => apply(q)}>
            <div className="filter spc-measurement">
              <label htmlFor="spc-measurement">Measurement</label>
              <select id="spc-measurement" value={measurement ?? ''} onChange={(e) => apply({ ...query, procedureId }, e.target.value || undefined)}>
                <option value="">Choose…</option>
                {measurement && list && !list.list.some((m) => m.measurement === measurement) ? <option value={measurement}>{measurement}</option> : null}
                {(list?.list ?? []).map((m) => (
                  <option key={m.measurement} value={m.measurement}>
                    {m.measurement}
                    {m.units ? ` (${m.units})` : ''}
                  </option>
                ))}
              </select>
            </div>
          </StatsFilters>
          {list?.error ? (
            <p className="field-error" role="alert">
              {list.error}
            </p>
          ) : null}
          {!measurement ? (
            <MeasurementList list={list?.list ?? null} query={{ ...query, procedureId }} />
          ) : (
            <>
              {current?.error ? (
                <p className="field-error" role="alert">
                  {current.error}
                </p>
              ) : null}
              {newer > 0 && result ? (
                <p className="spc-newer" role="status">
                  {newer} run{newer === 1 ? '' : 's'} ended since these figures.{' '}
                  <button type="button" className="button button--secondary" onClick={() => setRunsEnded(view.runsEnded)}>
                    Update
                  </button>
                </p>
              ) : null}
              {result === null ? (
                current?.error ? null : (
                  <p className="list-meta" role="status">
                    Computing the statistics…
                  </p>
                )
              ) : (
                <SpcBody result={result} />
              )}
            </>
          )}
        </>
      )}
    </section>
  );
}

function MeasurementList({ list, query }: { list: readonly MeasurementListItem[] | null; query: StatsQuery }) {
  if (list === null)
    return (
      <p className="list-meta" role="status">
        Loading measurements…
      </p>
    );
  if (list.length === 0) return <p className="list-meta">No numeric measurement of this procedure is stored yet.</p>;
  return (
    <DataTable
      label="Measurements"
      rows={list}
      rowKey={(m) => m.measurement}
      columns={[
        {
          key: 'measurement',
          header: 'Measurement',
          cell: (m) => (
            <a className="mono" href={spcHref(query, m.measurement)}>
              {m.measurement}
            </a>
          ),
        },
        { key: 'units', header: 'Units', cell: (m) => m.units ?? '—' },
        { key: 'count', header: 'Values', numeric: true, cell: (m) => count(m.count) },
        { key: 'last', header: 'Last measured', numeric: true, cell: (m) => (m.lastAt ? formatDateTime(m.lastAt) : '—') },
      ]}
    />
  );
}

function SpcBody({ result }: { result: SpcResult }) {
  const total = useMemo(() => result.segments.reduce((n, s) => n + s.n, 0), [result]);
  const ex = result.excluded;
  if (result.segments.length === 0 || total === 0) {
    return (
      <p className="list-meta" role="status">
        No value of {result.measurement} in these runs.
      </p>
    );
  }
  return (
    <>
      <p className="spc-scope">
        {count(total)} values in run order from PASS and FAIL runs, in {result.segments.length} limit version{result.segments.length === 1 ? '' : 's'}. Left
        out: {count(ex.errorOrAborted)} from ERROR or ABORTED runs, {count(ex.reference)} of reference units, {count(ex.notNumeric)} not numbers. Rules checked:{' '}
        {result.rules.join(', ') || 'none'}.
      </p>
      <SpcSegments result={result} />
      <SpcControlChart result={result} />
      <LimitChanges changes={result.limitChanges} units={result.units} />
      <p className="list-meta spc-formulas">
        σ overall: sample standard deviation (n − 1). σ within: average moving range ÷ 1.128. Cp, Cpk from σ within; Pp, Ppk from σ overall. The formulas are in
        docs/statistics.md.
      </p>
    </>
  );
}
