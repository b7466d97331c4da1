import type { MeasurementOutcome } from '#contract/records.ts';

export type Tone = 'pass' | 'fail' | 'error' | 'aborted' | 'running' | 'waiting' | 'skip' | 'marginal';

/** Words, not just colour: title case in the DOM (read aloud as words), shown in capitals. */
const RUN_LABEL: Record<string, { text: string; tone: Tone }> = {
  PASS: { text: 'Pass', tone: 'pass' },
  FAIL: { text: 'Fail', tone: 'fail' },
  ERROR: { text: 'Error', tone: 'error' },
  ABORTED: { text: 'Aborted', tone: 'aborted' },
  RUNNING: { text: 'Running', tone: 'running' },
  SKIP: { text: 'Skipped', tone: 'skip' },
  UNSET: { text: 'Not measured', tone: 'error' },
  waiting: { text: 'Waiting', tone: 'waiting' },
  running: { text: 'Running', tone: 'running' },
};

export function Badge({ tone, children, large = false }: { tone: Tone; children: string; large?: boolean }) {
  return <span className={`badge badge--${tone}${large ? ' badge--large' : ''}`}>{children}</span>;
}

/** Outcome of a run, a phase (including live states) or a measurement. */
export function OutcomeBadge({ outcome, large = false }: { outcome: string; large?: boolean }) {
  const l = RUN_LABEL[outcome] ?? { text: outcome, tone: 'waiting' as const };
  return (
    <Badge tone={l.tone} large={large}>
      {l.text}
    </Badge>
  );
}

export function MeasurementBadge({
  outcome,
  marginal,
  undeclared,
}: {
  outcome: MeasurementOutcome;
  marginal?: boolean | undefined;
  undeclared?: boolean | undefined;
}) {
  if (outcome === 'PASS' && marginal) return <Badge tone="marginal">Marginal</Badge>;
  // A value phase code took under a name procedure.yaml does not declare: measured, never checked.
  if (undeclared) return <Badge tone="error">Not declared</Badge>;
  return <OutcomeBadge outcome={outcome} />;
}
