import { useStatsAnswer } from '../../components/use-stats-answer.ts';
import { useEffect, useRef } from 'react';
import type { ParetoResult } from '#contract/stats.ts';
import { useStationView } from '../../api/station-context.tsx';
import { HBarChart, type HBar } from '../../components/charts/HBarChart.tsx';
import { DataTable } from '../../components/DataTable.tsx';
import { StatsFilters } from '../../components/StatsFilters.tsx';
import { StatTiles } from '../../components/StatTiles.tsx';
import { count, percent, statsFilter } from '../../components/stats-query.ts';
import { failureRunsHref, paretoHref, spcHref, yieldHref, type ParetoKind, type StatsQuery } from '../../router.ts';
import './pareto.css';

const KINDS: { value: ParetoKind; label: string; noun: string }[] = [
  { value: 'measurement', label: 'Measurement', noun: 'measurement' },
  { value: 'phase', label: 'Phase', noun: 'phase' },
  { value: 'failureCode', label: 'Failure code', noun: 'failure code' },
];

/** Where the "vital few" end: the bars that make up this share of the failures are above the line. */
const VITAL = 0.8;

interface Props {
  query: StatsQuery;
  by: ParetoKind;
}

/**
 * Failures of a procedure by measurement, phase or failure code, largest first, with each bar's
 * share and the running total; each bar opens the runs behind it in History.
 */
export function ParetoPage({ query, by }: Props) {
  const view = useStationView();
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);
  const procedureId = query.procedureId ?? view.procedure?.id ?? null;
  // The request as text: the effect runs again when it, or the count of ended runs, changes.
  const request = procedureId ? JSON.stringify({ ...statsFilter({ ...query, procedureId }), groupBy: by, limit: 30 }) : null;
  const runsEnded = view.runsEnded;
  const { current, latest } = useStatsAnswer('stats.pareto', request, runsEnded);
  const result = current?.result ?? (latest && latest.procedureId === procedureId && latest.groupBy === by ? latest : null);

  return (
    <section className="page stats-page" aria-labelledby="pareto-title">
      <div className="page-head">
        <h1 id="pareto-title" ref={heading} tabIndex={-1}>
          Failure Pareto
        </h1>
        {procedureId ? (
          <a className="stats-crosslink" href={yieldHref({ ...query, procedureId })}>
            Yield of these runs →
          </a>
        ) : null}
      </div>
      {procedureId === null ? (
        <p className="list-meta">No procedure is loaded: choose one on the Procedures screen.</p>
      ) : (
        <>
          <StatsFilters query={{ ...query, procedureId }} onApply={(q) => (location.hash = paretoHref(q, by))}>
            <fieldset className="filter pareto-by">
              <legend>Failures by</legend>
              <div className="segmented">
                {KINDS.map((k) => (
                  <a key={k.value} href={paretoHref({ ...query, procedureId }, k.value)} aria-current={k.value === by ? 'true' : undefined}>
                    {k.label}
                  </a>
                ))}
              </div>
            </fieldset>
          </StatsFilters>
          {current?.error ? (
            <p className="field-error" role="alert">
              {current.error}
            </p>
          ) : null}
          {result === null ? (
            current?.error ? null : (
              <p className="list-meta" role="status">
                Counting failures…
              </p>
            )
          ) : (
            <ParetoBody result={result} query={{ ...query, procedureId }} />
          )}
        </>
      )}
    </section>
  );
}

function ParetoBody({ result, query }: { result: ParetoResult; query: StatsQuery & { procedureId: string } }) {
  const kind = KINDS.find((k) => k.value === result.groupBy)!;
  const tiles = [
    { label: 'Failures', value: count(result.failures), note: `a run counts once per ${kind.noun}` },
    {
      label: 'Runs that did not pass',
      value: count(result.failedRuns),
      note: `${percent(result.runs ? result.failedRuns / result.runs : null)} of ${count(result.runs)} runs (fail, error, aborted)`,
    },
    { label: `${kind.label}s that failed`, value: count(result.bars.length + (result.otherCount ? 1 : 0)), note: 'largest first below' },
  ];
  if (result.failures === 0) {
    return (
      <>
        <StatTiles tiles={tiles} />
        <p className="list-meta" role="status">
          No failures in {count(result.runs)} runs of {result.procedureId} with these filters.
        </p>
      </>
    );
  }
  const vitalAt = result.bars.findIndex((b) => b.cumulativeShare >= VITAL - 1e-9);
  const bars: HBar[] = result.bars.map((b) => ({
    key: b.key,
    label: b.key || '(no failure code)',
    value: b.count,
    display: count(b.count),
    note: `${percent(b.share)} of failures · ${percent(b.cumulativeShare)} with the bars above`,
    href: failureRunsHref({ ...query, by: result.groupBy, key: b.key }),
    linkLabel: `${b.key || 'no failure code'}: ${count(b.count)} failures, ${percent(b.share)}. Open the runs in History`,
    tone: 'fail',
  }));
  if (result.otherCount > 0) {
    bars.push({
      key: '\u0000others',
      label: 'all others',
      value: result.otherCount,
      display: count(result.otherCount),
      note: 'the keys past the 30 largest',
      tone: 'neutral',
    });
  }
  return (
    <>
      <StatTiles tiles={tiles} />
      <HBarChart
        title={`Failures by ${kind.noun}`}
        level={2}
        caption="Bar length: failures. Each bar opens its runs in History."
        bars={bars}
        divider={vitalAt >= 0 && vitalAt < bars.length - 1 ? { at: vitalAt + 1, label: `${percent(VITAL, 0)} of the failures are above this line` } : undefined}
        table={() => (
          <DataTable
            label={`Failures by ${kind.noun}`}
            rows={result.bars}
            rowKey={(b) => b.key}
            columns={[
              { key: 'key', header: kind.label, cell: (b) => <span className="mono">{b.key || '(no failure code)'}</span> },
              { key: 'count', header: 'Failures', numeric: true, cell: (b) => count(b.count) },
              { key: 'share', header: 'Share', numeric: true, cell: (b) => percent(b.share) },
              { key: 'cumulative', header: 'Cumulative', numeric: true, cell: (b) => percent(b.cumulativeShare) },
              {
                key: 'runs',
                header: 'Runs',
                cell: (b) => (
                  <span className="pareto-links">
                    <a href={failureRunsHref({ ...query, by: result.groupBy, key: b.key })}>Open in History</a>
                    {result.groupBy === 'measurement' ? <a href={spcHref(query, b.key)}>SPC</a> : null}
                  </span>
                ),
              },
            ]}
          />
        )}
      />
    </>
  );
}
