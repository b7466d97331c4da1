import { useMemo } from 'react';
import { SPC_RULE_NAMES, type SpcResult } from '#contract/stats.ts';
import { ControlChart } from '../../components/charts/ControlChart.tsx';
import type { ControlSegment, Violation } from '../../components/charts/control-model.ts';
import { count } from '../../components/stats-query.ts';
import { formatDateTime } from '../../components/format.ts';
import { runHref } from '../../router.ts';
import { limitsText, segmentTitle } from './spc-text.ts';

/**
 * The I-MR chart of every limit version in run order. x is the value's place among all the
 * measurement's values (1 = the oldest); a version sends its newest points only, so its x
 * starts where those begin. Violations name points of their version from its first value.
 */
export function SpcControlChart({ result }: { result: SpcResult }) {
  const chart = useMemo(() => {
    const values: number[] = [];
    const x: number[] = [];
    const at: number[] = [];
    const runIds: string[] = [];
    const sockets: number[] = [];
    const outcomes: string[] = [];
    const segments: ControlSegment[] = [];
    const byIndex = new Map<number, number[]>();
    let before = 0;
    for (const [k, s] of result.segments.entries()) {
      const change = result.limitChanges.find((c) => c.segment === k);
      const p = s.points;
      if (p.value.length === 0) {
        before += s.n;
        continue;
      }
      const from = values.length;
      for (let i = 0; i < p.value.length; i++) {
        values.push(p.value[i]!);
        x.push(before + p.offset + i + 1);
        at.push(p.at[i]!);
        runIds.push(p.runId[i]!);
        sockets.push(p.socket[i]!);
        outcomes.push(p.outcome[i]!);
      }
      segments.push({
        from,
        to: values.length - 1,
        label: segmentTitle(s, result.units),
        marker: change
          ? `limits changed ${formatDateTime(change.at).slice(0, 16)}${change.actor ? ` by ${change.actor}` : ''}`
          : `limits ${limitsText(s.limits, result.units)}`,
        centre: s.individuals?.cl ?? Number.NaN,
        ucl: s.individuals?.ucl ?? Number.NaN,
        lcl: s.individuals?.lcl ?? Number.NaN,
        mrCentre: s.movingRange?.cl ?? Number.NaN,
        mrUcl: s.movingRange?.ucl ?? Number.NaN,
        lower: s.limits.lower ?? undefined,
        upper: s.limits.upper ?? undefined,
      });
      for (const v of s.violations) {
        for (const point of v.points) {
          if (point < p.offset) continue;
          const i = from + point - p.offset;
          const rules = byIndex.get(i) ?? [];
          rules.push(v.rule);
          byIndex.set(i, rules);
        }
      }
      before += s.n;
    }
    const violations: Violation[] = [...byIndex].map(([index, rules]) => ({ index, rules }));
    return { values, x, at, runIds, sockets, outcomes, segments, violations, total: before };
  }, [result]);

  if (chart.values.length === 0) return null;
  const shown = chart.values.length;
  const name = result.measurement;
  return (
    <ControlChart
      title={`${name}: individuals and moving range`}
      level={2}
      caption={
        shown < chart.total
          ? `The newest ${count(shown)} of ${count(chart.total)} values; the figures above cover all of them.`
          : `${count(shown)} values in run order.`
      }
      y={{ label: name.split('.').at(-1) ?? name, units: result.units ?? undefined }}
      xAxis={{ label: 'value, in run order' }}
      values={chart.values}
      x={chart.x}
      segments={chart.segments}
      violations={chart.violations}
      ruleNames={SPC_RULE_NAMES}
      pointLabel={(i) => `${formatDateTime(new Date(chart.at[i]!).toISOString())} · socket ${chart.sockets[i]! + 1} · ${chart.outcomes[i]}`}
      pointHref={(i) => runHref(chart.runIds[i]!)}
      height={340}
    />
  );
}
