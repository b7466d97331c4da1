import type { RunSummary } from '#contract/records.ts';
import { OutcomeBadge } from './Badge.tsx';
import { formatDateTime, formatDuration } from './format.ts';

/** The cells every run list shows after its first column: result, start, duration, procedure, reason. */
export function RunSummaryCells({ run }: { run: RunSummary }) {
  return (
    <>
      <td>
        <OutcomeBadge outcome={run.outcome} />
      </td>
      <td className="num">{formatDateTime(run.startedAt)}</td>
      <td className="num">{formatDuration(run.durationMs)}</td>
      <td>
        {run.procedureName} <span className="muted">v{run.procedureVersion}</span>
      </td>
      <td className="muted reason-cell">{run.outcomeReason ?? ''}</td>
    </>
  );
}
