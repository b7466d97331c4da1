import { useEffect, useMemo, useRef, useState } from 'react';
import type { CommandInput } from '#contract/commands.ts';
import type { YieldFigures, YieldGroup, YieldResult, YieldRow } from '#contract/stats.ts';
import { useStationClient, useStationView } from '../../api/station-context.tsx';
import { HBarChart, type HBar } from '../../components/charts/HBarChart.tsx';
import { XYChart } from '../../components/charts/XYChart.tsx';
import { DataTable, type Column } from '../../components/DataTable.tsx';
import { StatsFilters } from '../../components/StatsFilters.tsx';
import { StatTiles, type Tile } from '../../components/StatTiles.tsx';
import { count, percent, statsFilter } from '../../components/stats-query.ts';
import { formatDuration } from '../../components/format.ts';
import { paretoHref, yieldHref, type StatsQuery } from '../../router.ts';
import './yield.css';

const GROUPS: { value: YieldGroup; label: string }[] = [
  { value: 'shift', label: 'Shift' },
  { value: 'day', label: 'Day' },
  { value: 'hour', label: 'Hour' },
  { value: 'procedureVersion', label: 'Procedure version' },
  { value: 'partNumber', label: 'Part number' },
  { value: 'socket', label: 'Socket' },
  { value: 'fixture', label: 'Fixture' },
  { value: 'operator', label: 'Operator' },
];

const isGroup = (g: string | undefined): g is YieldGroup => GROUPS.some((x) => x.value === g);

interface Props {
  query: StatsQuery;
  groupBy: string | undefined;
}

/**
 * First pass yield, final yield, retest rate, volume and test time of a procedure, overall and
 * per group (shift, day, hour, version, part number, socket, fixture, operator); reference
 * (golden) units counted apart. docs/statistics.md defines every figure.
 */
export function YieldPage({ query, groupBy }: Props) {
  const client = useStationClient();
  const view = useStationView();
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);
  const procedureId = query.procedureId ?? view.procedure?.id ?? null;
  const group: YieldGroup = isGroup(groupBy) ? groupBy : 'shift';
  // The request as text: the effect runs again when it, or the count of ended runs, changes.
  const request = procedureId ? JSON.stringify({ ...statsFilter({ ...query, procedureId }), groupBy: group }) : null;
  const runsEnded = view.runsEnded;
  const key = `${request}\u0000${runsEnded}`;
  const [answer, setAnswer] = useState<{ key: string; result: YieldResult | null; error: string | null } | null>(null);
  useEffect(() => {
    if (!request) return;
    let live = true;
    const k = `${request}\u0000${runsEnded}`;
    void client.invoke('stats.yield', JSON.parse(request) as CommandInput<'stats.yield'>).then((r) => {
      if (live) setAnswer({ key: k, result: r.ok ? r.value : null, error: r.ok ? null : r.error.message });
    });
    return () => {
      live = false;
    };
  }, [client, request, runsEnded]);
  const current = answer?.key === key ? answer : null;
  const result = current?.result ?? (answer?.result && answer.result.procedureId === procedureId ? answer.result : null);
  const apply = (q: StatsQuery, g: YieldGroup = group): void => {
    location.hash = yieldHref(q, g === 'shift' ? undefined : g);
  };

  return (
    <section className="page stats-page" aria-labelledby="yield-title">
      <div className="page-head">
        <h1 id="yield-title" ref={heading} tabIndex={-1}>
          Yield
        </h1>
        {procedureId ? (
          <a className="stats-crosslink" href={paretoHref({ ...query, procedureId })}>
            Failure Pareto of these runs →
          </a>
        ) : null}
      </div>
      {procedureId === null ? (
        <p className="list-meta">No procedure is loaded: choose one on the Procedures screen.</p>
      ) : (
        <>
          <StatsFilters query={{ ...query, procedureId }} onApply={(q) => apply(q)}>
            <div className="filter">
              <label htmlFor="yield-group">Per</label>
              <select id="yield-group" value={group} onChange={(e) => apply({ ...query, procedureId }, e.target.value as YieldGroup)}>
                {GROUPS.map((g) => (
                  <option key={g.value} value={g.value}>
                    {g.label}
                  </option>
                ))}
              </select>
            </div>
          </StatsFilters>
          {current?.error ? (
            <p className="field-error" role="alert">
              {current.error}
            </p>
          ) : null}
          {result === null ? (
            current?.error ? null : (
              <p className="list-meta" role="status">
                Counting runs…
              </p>
            )
          ) : (
            <YieldBody result={result} group={group} />
          )}
        </>
      )}
    </section>
  );
}

function YieldBody({ result, group }: { result: YieldResult; group: YieldGroup }) {
  const t = result.total;
  const groupLabel = GROUPS.find((g) => g.value === group)!.label;
  return (
    <>
      {t.unitsTested === 0 && t.runs === 0 ? (
        <p className="list-meta" role="status">
          No finished runs of {result.procedureId} match these filters.
        </p>
      ) : (
        <>
          <YieldTiles figures={t} />
          <GroupChart rows={result.rows} group={group} groupLabel={groupLabel} />
        </>
      )}
      <ReferenceUnits result={result} />
    </>
  );
}

/** The headline figures, large, each with its definition in a line. */
function YieldTiles({ figures: f }: { figures: YieldFigures }) {
  const tiles: Tile[] = [
    {
      label: 'First pass yield',
      value: percent(f.firstPassYield),
      note: `${count(f.firstPassUnits)} of ${count(f.unitsTested)} units passed on their first attempt`,
    },
    {
      label: 'Final yield',
      value: percent(f.finalYield),
      note: `${count(f.finalPassUnits)} unit${f.finalPassUnits === 1 ? '' : 's'} passed on their last attempt`,
    },
    { label: 'Retest rate', value: percent(f.retestRate), note: `${count(f.retestedUnits)} unit${f.retestedUnits === 1 ? '' : 's'} tested more than once` },
    {
      label: 'Runs',
      value: count(f.runs),
      note: `${count(f.passRuns)} pass · ${count(f.failRuns)} fail · ${count(f.errorRuns)} error · ${count(f.abortedRuns)} aborted`,
    },
    {
      label: 'Test time',
      value: f.meanTestMs === null ? '—' : formatDuration(f.meanTestMs),
      note: f.p95TestMs === null ? 'mean of PASS and FAIL runs' : `mean; 95 % of runs within ${formatDuration(f.p95TestMs)}`,
    },
  ];
  return <StatTiles tiles={tiles} />;
}

/** A group's value as people read it: sockets count from 1 on screen, as on the operator's. */
function groupName(group: YieldGroup, key: string): string {
  if (key === '') return '(none recorded)';
  if (group === 'socket' && /^\d+$/.test(key)) return `Socket ${Number(key) + 1}`;
  return key;
}

const COLUMNS = (group: YieldGroup, groupLabel: string): Column<YieldRow>[] => [
  { key: 'key', header: groupLabel, cell: (r) => <span className="mono">{groupName(group, r.key)}</span> },
  { key: 'units', header: 'Units', numeric: true, cell: (r) => count(r.unitsTested) },
  { key: 'fpy', header: 'First pass yield', numeric: true, cell: (r) => percent(r.firstPassYield) },
  { key: 'final', header: 'Final yield', numeric: true, cell: (r) => percent(r.finalYield) },
  { key: 'retest', header: 'Retest rate', numeric: true, cell: (r) => percent(r.retestRate) },
  { key: 'runs', header: 'Runs', numeric: true, cell: (r) => count(r.runs) },
  { key: 'outcomes', header: 'Pass · fail · error · aborted', numeric: true, cell: (r) => `${r.passRuns} · ${r.failRuns} · ${r.errorRuns} · ${r.abortedRuns}` },
  { key: 'time', header: 'Mean time', numeric: true, cell: (r) => (r.meanTestMs === null ? '—' : formatDuration(r.meanTestMs)) },
  { key: 'p95', header: 'p95 time', numeric: true, cell: (r) => (r.p95TestMs === null ? '—' : formatDuration(r.p95TestMs)) },
];

/** Hour and day groups as a line over time; the others as bars of first pass yield. */
function GroupChart({ rows, group, groupLabel }: { rows: readonly YieldRow[]; group: YieldGroup; groupLabel: string }) {
  const table = () => <DataTable label={`Yield per ${groupLabel.toLowerCase()}`} columns={COLUMNS(group, groupLabel)} rows={rows} rowKey={(r) => r.key} />;
  const timed = group === 'hour' || group === 'day';
  const series = useMemo(() => {
    if (!timed) return null;
    const points = rows.filter((r) => r.firstPassYield !== null).map((r) => ({ t: keyTime(r.key), y: r.firstPassYield! * 100 }));
    return [{ label: 'First pass yield', x: points.map((p) => p.t), y: points.map((p) => p.y), style: 'both' as const }];
  }, [rows, timed]);
  if (rows.length === 0) return <p className="list-meta">No group to show.</p>;
  const title = `First pass yield per ${groupLabel.toLowerCase()}`;
  if (series) {
    return (
      <XYChart
        title={title}
        level={2}
        caption={`${rows.length} ${group === 'hour' ? (rows.length === 1 ? 'hour' : 'hours') : rows.length === 1 ? 'day' : 'days'} with runs; the table has the units and runs of each`}
        x={{ label: group === 'hour' ? 'hour (local time)' : 'day (local time)' }}
        y={{ label: 'first pass yield', units: '%' }}
        xTime
        series={series}
        summary={`${title}, ${rows.length} points, from ${rows[0]!.key} to ${rows.at(-1)!.key}.`}
        table={table}
        height={300}
      />
    );
  }
  const bars: HBar[] = rows.map((r) => ({
    key: r.key,
    label: groupName(group, r.key),
    value: (r.firstPassYield ?? 0) * 100,
    display: percent(r.firstPassYield),
    note: `${count(r.unitsTested)} units · final ${percent(r.finalYield)} · ${count(r.runs)} runs`,
    tone: r.firstPassYield === null ? 'neutral' : r.firstPassYield >= 0.95 ? 'pass' : r.firstPassYield >= 0.85 ? 'warn' : 'fail',
  }));
  return (
    <HBarChart
      title={title}
      level={2}
      caption="Bar length: first pass yield, 0 to 100 %"
      bars={bars}
      max={100}
      legend={[
        { kind: 'swatch', colour: '#2e8b57', label: '95 % or more' },
        { kind: 'swatch', colour: '#d39b1a', label: '85 to 95 %' },
        { kind: 'swatch', colour: '#c0473f', label: 'below 85 %' },
      ]}
      table={table}
    />
  );
}

/** "2026-03-02T14" (hour) or "2026-03-02" (day), local time, as epoch seconds for the time axis. */
function keyTime(key: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}))?$/.exec(key);
  if (!m) return Number.NaN;
  return new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4] ?? 0)).getTime() / 1000;
}

function ReferenceUnits({ result }: { result: YieldResult }) {
  const r = result.reference;
  return (
    <section className="card stats-reference" aria-labelledby="reference-title">
      <h2 id="reference-title" className="section-title">
        Reference units
      </h2>
      {result.referenceSerialPattern === '' ? (
        <p className="list-meta">
          No reference (golden) units are set. A serial pattern in the settings (<span className="mono">referenceSerialPattern</span>) keeps them out of yield
          and SPC.
        </p>
      ) : r.runs === 0 ? (
        <p className="list-meta">
          No run of a reference unit (<span className="mono">{result.referenceSerialPattern}</span>) matches these filters.
        </p>
      ) : (
        <p>
          {count(r.unitsTested)} reference unit{r.unitsTested === 1 ? '' : 's'} (<span className="mono">{result.referenceSerialPattern}</span>) ran{' '}
          {count(r.runs)} time{r.runs === 1 ? '' : 's'}: {count(r.passRuns)} pass, {count(r.failRuns)} fail, {count(r.errorRuns)} error, {count(r.abortedRuns)}{' '}
          aborted. They are not counted in the figures above.
        </p>
      )}
    </section>
  );
}
