import { useEffect, useMemo, useRef, useState } from 'react';
import type { Measurement } from '#contract/records.ts';
import { describeValidator } from '#contract/format.ts';
import type { MarkGroup, RefLine, XYSeries } from '../../components/charts/chart-model.ts';
import { axisTitle } from '../../components/charts/chart-model.ts';
import type { LegendEntry } from '../../components/charts/legend.ts';
import { sweepOf, type SweepPlot } from '../../components/charts/measurement-series.ts';
import { XYChart } from '../../components/charts/XYChart.tsx';
import { DataTable } from '../../components/DataTable.tsx';
import { OutcomeBadge } from '../../components/Badge.tsx';
import { formatDateTime, formatNumber } from '../../components/format.ts';
import { OVERLAY_SIZES, overlayHref, runHref, type OverlayQuery } from '../../router.ts';
import { useOverlayRuns, type OverlayRun, type SeriesChoice } from './use-overlay-runs.ts';
import './overlay.css';

const PASS_COLOUR = '#1a4fd6';
const FAIL_COLOUR = '#b3261e';
const NEWEST_COLOUR = '#0d1321';

/**
 * Several runs' series of one measurement on one chart: the newest N runs of a procedure and
 * part number (e.g. the last 50 sweeps of a board), failing runs dashed and red, the newest
 * run drawn heavy, the every-point limits of the newest run as lines.
 */
export function OverlayPage({ query }: { query: OverlayQuery }) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);
  const loaded = useOverlayRuns(query);
  const choices = loaded.state === 'ready' ? loaded.choices : [];
  const choice = loaded.state === 'ready' ? loaded.choice : null;

  return (
    <section className="page overlay-page" aria-labelledby="overlay-title">
      <a className="back-link" href="#/history">
        ← History
      </a>
      <div className="page-head">
        <h1 id="overlay-title" ref={heading} tabIndex={-1}>
          Series of many runs
        </h1>
      </div>
      <OverlayForm key={JSON.stringify(query)} query={query} choices={choices} choice={choice} />
      {loaded.state === 'loading' ? (
        <p className="list-meta" role="status">
          Finding runs…
        </p>
      ) : loaded.state === 'error' ? (
        <p className="field-error" role="alert">
          {loaded.message}
        </p>
      ) : loaded.state === 'empty' ? (
        <p className="list-meta" role="status">
          No finished runs match{query.partNumber ? ` part number ${query.partNumber}` : ''}
          {query.procedureId ? ` of procedure ${query.procedureId}` : ''}.
        </p>
      ) : choice === null ? (
        <p className="list-meta" role="status">
          The newest run of these has no multi-dimensional measurement (a sweep or timed series) to overlay.
        </p>
      ) : loaded.runs.length === 0 ? (
        <p className="list-meta" role="status">
          No run {query.outcome ? `with the result ${query.outcome} ` : ''}took {choice.key}.
        </p>
      ) : (
        <OverlayChart runs={loaded.runs} choice={choice} query={{ ...query, procedureId: loaded.procedureId }} />
      )}
    </section>
  );
}

function OverlayForm({ query, choices, choice }: { query: OverlayQuery; choices: readonly SeriesChoice[]; choice: SeriesChoice | null }) {
  const [procedureId, setProcedureId] = useState(query.procedureId ?? '');
  const [partNumber, setPartNumber] = useState(query.partNumber ?? '');
  const go = (q: Partial<OverlayQuery>): void => {
    location.hash = overlayHref({ ...query, procedureId: procedureId.trim(), partNumber: partNumber.trim(), ...q });
  };
  return (
    <form
      className="filters overlay-form"
      aria-label="Which runs"
      onSubmit={(e) => {
        e.preventDefault();
        go({});
      }}
    >
      <div className="filter">
        <label htmlFor="overlay-procedure">Procedure id</label>
        <input
          id="overlay-procedure"
          className="mono"
          value={procedureId}
          onChange={(e) => setProcedureId(e.target.value)}
          autoComplete="off"
          spellCheck={false}
        />
      </div>
      <div className="filter">
        <label htmlFor="overlay-part">Part number</label>
        <input id="overlay-part" className="mono" value={partNumber} onChange={(e) => setPartNumber(e.target.value)} autoComplete="off" spellCheck={false} />
      </div>
      <div className="filter">
        <label htmlFor="overlay-last">Newest runs</label>
        <select id="overlay-last" value={query.last} onChange={(e) => go({ last: Number(e.target.value) })}>
          {OVERLAY_SIZES.map((n) => (
            <option key={n} value={n}>
              last {n}
            </option>
          ))}
        </select>
      </div>
      <div className="filter">
        <label htmlFor="overlay-outcome">Result</label>
        <select
          id="overlay-outcome"
          value={query.outcome ?? ''}
          onChange={(e) => go({ outcome: e.target.value === 'PASS' || e.target.value === 'FAIL' ? e.target.value : undefined })}
        >
          <option value="">Pass and fail</option>
          <option value="PASS">Pass only</option>
          <option value="FAIL">Fail only</option>
        </select>
      </div>
      <div className="filter overlay-measurement">
        <label htmlFor="overlay-measurement">Measurement</label>
        <select id="overlay-measurement" value={choice?.key ?? ''} disabled={choices.length === 0} onChange={(e) => go({ measurement: e.target.value })}>
          {choices.length === 0 ? <option value="">—</option> : null}
          {choices.map((c) => (
            <option key={c.key} value={c.key}>
              {c.phase} · {c.name}
            </option>
          ))}
        </select>
      </div>
      <button type="submit" className="button button--primary overlay-show">
        Show
      </button>
    </form>
  );
}

interface Curve {
  run: OverlayRun;
  m: Measurement;
  sweep: SweepPlot;
}

function OverlayChart({ runs, choice, query }: { runs: readonly OverlayRun[]; choice: SeriesChoice; query: OverlayQuery }) {
  const curves = useMemo<Curve[]>(() => {
    const out: Curve[] = [];
    for (const run of runs) {
      const sweep = sweepOf(run.m);
      if (sweep) out.push({ run, m: run.m, sweep });
    }
    return out;
  }, [runs]);

  // One chart series per curve of each run; oldest first, so the newest is drawn on top.
  const plotted = useMemo(() => {
    const series: XYSeries[] = [];
    const owner: { curve: Curve; c: number }[] = [];
    const groups: MarkGroup = { label: 'Point outside the limits', shape: 'cross', tone: 'fail', marks: [] };
    const marks: MarkGroup['marks'][number][] = [];
    [...curves].reverse().forEach((cv, k, all) => {
      const newest = k === all.length - 1;
      const failed = cv.run.outcome !== 'PASS';
      cv.sweep.curves.forEach((c, ci) => {
        const s = series.length;
        series.push({
          label: `${cv.run.serialNumber}${c.label ? ` ${c.label}` : ''}`,
          x: c.x,
          y: c.y,
          style: 'line',
          colour: newest ? NEWEST_COLOUR : failed ? FAIL_COLOUR : PASS_COLOUR,
          width: newest ? 2.5 : 1,
          dashed: failed,
          faint: !newest,
        });
        owner.push({ curve: cv, c: ci });
        for (const f of cv.sweep.failing) if (f.series === ci) marks.push({ series: s, index: f.index });
      });
    });
    return { series, owner, groups: marks.length ? [{ ...groups, marks }] : [] };
  }, [curves]);

  const newest = curves[0];
  if (!newest) return <p className="list-meta">None of these runs took {choice.key}.</p>;
  const lines: RefLine[] = newest.sweep.lines;
  const limitsText = describeValidator(newest.m.validator, newest.m.units);
  const otherLimits = curves.filter((c) => describeValidator(c.m.validator, c.m.units) !== limitsText).length;
  const failedRuns = curves.filter((c) => c.run.outcome !== 'PASS').length;
  const x = newest.sweep.x;
  const y = newest.sweep.y;
  const legend: LegendEntry[] = [
    { kind: 'line', colour: NEWEST_COLOUR, dash: [], width: 3, label: `Newest: ${newest.run.serialNumber}` },
    { kind: 'line', colour: PASS_COLOUR, dash: [], width: 2, label: `Passed · ${curves.length - failedRuns}` },
    ...(failedRuns ? [{ kind: 'line' as const, colour: FAIL_COLOUR, dash: [8, 4], width: 2, label: `Did not pass (dashed) · ${failedRuns}` }] : []),
  ];
  const title = `${choice.name}: ${y.label} against ${x.label}, ${curves.length} run${curves.length === 1 ? '' : 's'}`;
  const summary = `${title}${query.partNumber ? ` of part number ${query.partNumber}` : ''}; ${failedRuns} did not pass.`;

  return (
    <XYChart
      title={title}
      level={2}
      x={x}
      y={y}
      series={plotted.series}
      seriesLegend={legend}
      lines={lines}
      groups={plotted.groups}
      height={440}
      summary={summary}
      caption={
        <>
          <span className="mono">{choice.phase}</span>
          {limitsText ? ` · limits of the newest run: ${limitsText}` : ''}
          {otherLimits ? ` · ${otherLimits} run${otherLimits === 1 ? '' : 's'} had other limits` : ''}
        </>
      }
      describe={(s, i) => {
        const { curve, c } = plotted.owner[s]!;
        const cc = curve.sweep.curves[c]!;
        return [
          `${curve.run.serialNumber} · ${curve.run.outcome}`,
          formatDateTime(curve.run.startedAt),
          `${axisTitle(x)} ${formatNumber(cc.x[i]!)}`,
          `${axisTitle(y)} ${formatNumber(cc.y[i]!)}`,
        ];
      }}
      table={() => <RunsTable curves={curves} y={y} />}
    />
  );
}

function RunsTable({ curves, y }: { curves: readonly Curve[]; y: SweepPlot['y'] }) {
  const u = y.units ? ` (${y.units})` : '';
  return (
    <DataTable
      label="Runs overlaid"
      rows={curves}
      rowKey={(c) => c.run.runId}
      columns={[
        {
          key: 'serial',
          header: 'Serial number',
          cell: (c) => (
            <a className="mono run-link" href={runHref(c.run.runId)}>
              {c.run.serialNumber}
            </a>
          ),
        },
        { key: 'result', header: 'Result', cell: (c) => <OutcomeBadge outcome={c.run.outcome} /> },
        { key: 'started', header: 'Started', numeric: true, cell: (c) => formatDateTime(c.run.startedAt) },
        { key: 'points', header: 'Points', numeric: true, cell: (c) => c.sweep.points },
        { key: 'min', header: `Min${u}`, numeric: true, cell: (c) => fmtAgg(c.m, 'min') },
        { key: 'max', header: `Max${u}`, numeric: true, cell: (c) => fmtAgg(c.m, 'max') },
        { key: 'mean', header: `Mean${u}`, numeric: true, cell: (c) => fmtAgg(c.m, 'mean') },
        {
          key: 'outside',
          header: 'Outside limits',
          numeric: true,
          cell: (c) => (c.sweep.failing.length ? <span className="tag tag--fail">{c.sweep.failing.length}</span> : c.sweep.lines.length ? '0' : '—'),
        },
      ]}
    />
  );
}

function fmtAgg(m: Measurement, k: 'min' | 'max' | 'mean'): string {
  const v = m.aggregates?.[k];
  return typeof v === 'number' ? formatNumber(v) : '—';
}
