import { useTranslation } from 'react-i18next';
import type { MeasurementOutcome } from '#contract/records.ts';

export type Tone = 'pass' | 'fail' | 'error' | 'aborted' | 'running' | 'waiting' | 'skip' | 'marginal';

/** Words, not just colour: title case in the DOM (read aloud as words), shown in capitals. */
const RUN_LABEL: Record<
  string,
  {
    text: 'outcome.pass' | 'outcome.fail' | 'outcome.error' | 'outcome.aborted' | 'outcome.running' | 'outcome.skipped' | 'outcome.unset' | 'outcome.waiting';
    tone: Tone;
  }
> = {
  PASS: { text: 'outcome.pass', tone: 'pass' },
  FAIL: { text: 'outcome.fail', tone: 'fail' },
  ERROR: { text: 'outcome.error', tone: 'error' },
  ABORTED: { text: 'outcome.aborted', tone: 'aborted' },
  RUNNING: { text: 'outcome.running', tone: 'running' },
  SKIP: { text: 'outcome.skipped', tone: 'skip' },
  UNSET: { text: 'outcome.unset', tone: 'error' },
  waiting: { text: 'outcome.waiting', tone: 'waiting' },
  running: { text: 'outcome.running', tone: 'running' },
};

export function Badge({ tone, children, large = false }: { tone: Tone; children: string; large?: boolean }) {
  return <span className={`badge badge--${tone}${large ? ' badge--large' : ''}`}>{children}</span>;
}

/** Outcome of a run, a phase (including live states) or a measurement. */
export function OutcomeBadge({ outcome, large = false }: { outcome: string; large?: boolean }) {
  const { t } = useTranslation();
  const l = RUN_LABEL[outcome];
  return (
    <Badge tone={l?.tone ?? 'waiting'} large={large}>
      {l ? t(l.text) : outcome}
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
  const { t } = useTranslation();
  if (outcome === 'PASS' && marginal) return <Badge tone="marginal">{t('outcome.marginal')}</Badge>;
  // A value phase code took under a name procedure.yaml does not declare: measured, never checked.
  if (undeclared) return <Badge tone="error">{t('outcome.undeclared')}</Badge>;
  return <OutcomeBadge outcome={outcome} />;
}
