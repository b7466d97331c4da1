import { useMemo, type ReactNode } from 'react';
import type { SpcResult, SpcSegment } from '#contract/stats.ts';
import type { RefBand, RefLine } from '../../components/charts/chart-model.ts';
import { HistogramChart, type FitCurve } from '../../components/charts/HistogramChart.tsx';
import type { Bins } from '../../components/charts/histogram.ts';
import { count, figure } from '../../components/stats-query.ts';
import { capabilityWord, limitsText, segmentSpan, segmentTitle } from './spc-text.ts';

/**
 * The figures of each limit version side by side (a capability across a limit change is not
 * one population), then each version's histogram with its limits, marginal band and the
 * normal curves of the two sigmas.
 */
export function SpcSegments({ result }: { result: SpcResult }) {
  const u = result.units;
  const segs = result.segments;
  const rows: { label: string; cell: (s: SpcSegment) => ReactNode; note?: string }[] = [
    { label: 'Values (n)', cell: (s) => count(s.n) },
    { label: 'Mean', cell: (s) => withUnits(figure(s.mean, 6), u) },
    { label: 'σ overall', note: 'sample, n − 1', cell: (s) => withUnits(figure(s.sigmaOverall), u) },
    { label: 'σ within', note: 'MR̄ ÷ 1.128', cell: (s) => withUnits(figure(s.sigmaWithin), u) },
    { label: 'Cp', note: 'σ within', cell: (s) => <Index v={s.cp} /> },
    { label: 'Cpk', note: 'σ within', cell: (s) => <Index v={s.cpk} /> },
    { label: 'Pp', note: 'σ overall', cell: (s) => <Index v={s.pp} /> },
    { label: 'Ppk', note: 'σ overall', cell: (s) => <Index v={s.ppk} /> },
    {
      label: 'Outside the limits',
      cell: (s) => (
        <span className={s.outside > 0 ? 'fail-text' : undefined}>
          {s.pctOutside === null ? '—' : `${figure(s.pctOutside, 3)} %`} ({count(s.outside)})
        </span>
      ),
    },
    { label: 'Min … max', cell: (s) => withUnits(`${figure(s.min, 6)} … ${figure(s.max, 6)}`, u) },
    {
      label: 'Control limits (I)',
      note: 'mean ± 3 σ within',
      cell: (s) => (s.individuals ? withUnits(`${figure(s.individuals.lcl, 5)} … ${figure(s.individuals.ucl, 5)}`, u) : '—'),
    },
    {
      label: 'Rules broken',
      cell: (s) =>
        s.violations.some((v) => v.count > 0)
          ? s.violations
              .filter((v) => v.count > 0)
              .map((v) => `rule ${v.rule} × ${count(v.count)}`)
              .join(', ')
          : 'none',
    },
  ];
  return (
    <>
      <div className="data-table-wrap spc-figures-wrap">
        <table className="data-table spc-figures" aria-label="Statistics per limit version">
          <thead>
            <tr>
              <th scope="col">Figure</th>
              {segs.map((s, i) => (
                <th key={i} scope="col" className="data-table-num">
                  <span className="spc-segment-head">{segmentTitle(s, u)}</span>
                  <span className="spc-segment-span">{segmentSpan(s)}</span>
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.label}>
                <th scope="row">
                  {r.label}
                  {r.note ? <span className="spc-figure-note">{r.note}</span> : null}
                </th>
                {segs.map((s, i) => (
                  <td key={i} className="data-table-num">
                    {r.cell(s)}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <div className={segs.length > 1 ? 'spc-histograms spc-histograms--many' : 'spc-histograms'}>
        {segs.map((s, i) => (
          <SegmentHistogram key={i} segment={s} result={result} />
        ))}
      </div>
    </>
  );
}

const withUnits = (text: string, units: string | null): string => (units && text !== '—' ? `${text} ${units}` : text);

function Index({ v }: { v: number | null }) {
  const w = capabilityWord(v);
  return (
    <span className="spc-index">
      <span className="num strong">{figure(v, 3)}</span>
      {w ? <span className={`tag spc-tag spc-tag--${w.tone}`}>{w.word}</span> : null}
    </span>
  );
}

const NO_VALUES: number[] = [];

function SegmentHistogram({ segment: s, result }: { segment: SpcSegment; result: SpcResult }) {
  const u = result.units;
  const bins = useMemo<Bins>(
    () => ({ edges: s.histogram.bins.map((b) => b.lo), counts: s.histogram.bins.map((b) => b.count), width: s.histogram.binWidth, skipped: 0 }),
    [s],
  );
  const { lines, bands } = useMemo(() => {
    const l = s.limits;
    const lines: RefLine[] = [];
    const bands: RefBand[] = [];
    const us = u ? ` ${u}` : '';
    if (l.lower !== null) lines.push({ axis: 'x', value: l.lower, label: `LSL ${figure(l.lower, 6)}${us}`, kind: 'limit', side: 'lower' });
    if (l.upper !== null) lines.push({ axis: 'x', value: l.upper, label: `USL ${figure(l.upper, 6)}${us}`, kind: 'limit', side: 'upper' });
    if (l.lower !== null && l.marginalLower !== null) {
      lines.push({ axis: 'x', value: l.marginalLower, label: `marginal ${figure(l.marginalLower, 6)}`, kind: 'marginal' });
      bands.push({ axis: 'x', from: l.lower, to: l.marginalLower, label: 'Marginal band (passes, flagged)' });
    }
    if (l.upper !== null && l.marginalUpper !== null) {
      lines.push({ axis: 'x', value: l.marginalUpper, label: `marginal ${figure(l.marginalUpper, 6)}`, kind: 'marginal' });
      bands.push({ axis: 'x', from: l.marginalUpper, to: l.upper, label: 'Marginal band (passes, flagged)' });
    }
    if (s.mean !== null) lines.push({ axis: 'x', value: s.mean, label: `mean ${figure(s.mean, 5)}`, kind: 'centre' });
    return { lines, bands };
  }, [s, u]);
  const fits = useMemo<FitCurve[]>(() => {
    const out: FitCurve[] = [];
    if (s.mean !== null && s.sigmaWithin !== null) out.push({ label: 'Normal, σ within', mean: s.mean, sigma: s.sigmaWithin });
    if (s.mean !== null && s.sigmaOverall !== null) out.push({ label: 'Normal, σ overall', mean: s.mean, sigma: s.sigmaOverall, dashed: true });
    return out;
  }, [s]);
  const title = `Histogram: ${segmentTitle(s, u)}`;
  return (
    <HistogramChart
      title={title}
      caption={`${count(s.n)} values · ${segmentSpan(s)} · limits ${limitsText(s.limits, u)}`}
      x={{ label: result.measurement.split('.').at(-1) ?? result.measurement, units: u ?? undefined }}
      values={NO_VALUES}
      bins={bins}
      lines={lines}
      bands={bands}
      fits={fits}
      height={300}
      summary={`${title}: ${count(s.n)} values in ${s.histogram.bins.length} bins; ${count(s.outside)} outside the limits.`}
    />
  );
}
