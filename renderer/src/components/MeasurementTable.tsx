import { memo } from 'react';
import { describeValidator } from '#contract/format.ts';
import type { Measurement } from '#contract/records.ts';
import { MeasurementBadge } from './Badge.tsx';
import { formatValue } from './format.ts';

/** One row per measurement: name, value with units, limits, verdict. Failing rows are highlighted. */
export const MeasurementTable = memo(function MeasurementTable({
  measurements,
  label,
  showReason = false,
}: {
  measurements: readonly Measurement[];
  label: string;
  showReason?: boolean;
}) {
  return (
    <table className="measurements" aria-label={label}>
      <thead>
        <tr>
          <th scope="col">Measurement</th>
          <th scope="col" className="num">
            Value
          </th>
          <th scope="col">Limits</th>
          <th scope="col">Result</th>
        </tr>
      </thead>
      <tbody>
        {measurements.map((m, i) => {
          const bad = m.outcome === 'FAIL' || m.outcome === 'UNSET';
          const value = formatValue(m.value, m.aggregates);
          return (
            <tr key={`${m.name}-${i}`} className={bad ? 'is-failing' : undefined}>
              <th scope="row" className="mono">
                {m.name}
                {showReason && bad && m.reason ? <span className="reason">{m.reason}</span> : null}
              </th>
              <td className="num value">
                {value}
                {m.units && (!Array.isArray(m.value) || m.value.length > 1) ? <span className="units"> {m.units}</span> : null}
              </td>
              <td className="limits">{m.undeclared ? 'not declared in procedure.yaml' : describeValidator(m.validator, m.units) || '—'}</td>
              <td>
                <MeasurementBadge outcome={m.outcome} marginal={m.marginal} undeclared={m.undeclared} />
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
});
