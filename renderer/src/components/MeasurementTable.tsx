import { memo } from 'react';
import { useTranslation } from 'react-i18next';
import type { Measurement } from '#contract/records.ts';
import { MeasurementBadge } from './Badge.tsx';
import { useFormat } from '../i18n/use-format.ts';
import { describeLimits } from '../i18n/limits-text.ts';
import { recordedText } from '../i18n/record-text.ts';

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
  const { t } = useTranslation();
  const f = useFormat();
  return (
    <table className="measurements" aria-label={label}>
      <thead>
        <tr>
          <th scope="col">{t('measurement.name')}</th>
          <th scope="col" className="num">
            {t('measurement.value')}
          </th>
          <th scope="col">{t('measurement.limits')}</th>
          <th scope="col">{t('measurement.result')}</th>
        </tr>
      </thead>
      <tbody>
        {measurements.map((m, i) => {
          const bad = m.outcome === 'FAIL' || m.outcome === 'UNSET';
          const value = f.value(m.value, m.aggregates);
          return (
            <tr key={`${m.name}-${i}`} className={bad ? 'is-failing' : undefined}>
              <th scope="row" className="mono">
                {m.name}
                {showReason && bad && m.reason ? <span className="reason">{recordedText(t, f, m.reason)}</span> : null}
              </th>
              <td className="num value">
                {value}
                {m.units && (!Array.isArray(m.value) || m.value.length > 1) ? <span className="units"> {m.units}</span> : null}
              </td>
              <td className="limits">{m.undeclared ? t('measurement.undeclared') : describeLimits(t, f, m.validator, m.units) || '—'}</td>
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
