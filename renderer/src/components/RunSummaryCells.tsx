import { useTranslation } from 'react-i18next';
import type { RunSummary } from '#contract/records.ts';
import { OutcomeBadge } from './Badge.tsx';
import { useFormat } from '../i18n/use-format.ts';
import { recordedText } from '../i18n/record-text.ts';

/** The cells every run list shows after its first column: result, start, duration, procedure, reason. */
export function RunSummaryCells({ run }: { run: RunSummary }) {
  const { t } = useTranslation();
  const f = useFormat();
  return (
    <>
      <td>
        <OutcomeBadge outcome={run.outcome} />
      </td>
      <td className="num">{f.dateTime(run.startedAt)}</td>
      <td className="num">{f.duration(run.durationMs)}</td>
      <td>
        {run.procedureName} <span className="muted">{t('header.version', { version: run.procedureVersion })}</span>
      </td>
      <td className="muted reason-cell">{run.outcomeReason ? recordedText(t, f, run.outcomeReason) : ''}</td>
    </>
  );
}
