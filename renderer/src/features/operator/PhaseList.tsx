import { memo, useEffect, useRef, type CSSProperties, type RefObject } from 'react';
import { useTranslation } from 'react-i18next';
import type { LivePhase } from '#contract/live.ts';
import { OutcomeBadge } from '../../components/Badge.tsx';
import { MeasurementTable } from '../../components/MeasurementTable.tsx';
import { PhaseErrorNote } from '../../components/PhaseErrorNote.tsx';
import { useFormat } from '../../i18n/use-format.ts';
import { useProcedureText } from '../../i18n/procedure-text.ts';
import { useNow } from '../../components/use-now.ts';
import { revealWithin } from '../../components/dom.ts';

/** After a run that did not pass, bring the first phase that failed into view. */
function useRevealFirstProblem(list: RefObject<HTMLOListElement | null>, outcome: string | undefined): void {
  useEffect(() => {
    if (!outcome || outcome === 'PASS') return;
    revealWithin(list.current, list.current?.querySelector('.phase--fail, .phase--error, .phase--aborted') ?? null);
  }, [list, outcome]);
}

export function PhaseList({ phases, label, outcome }: { phases: readonly LivePhase[]; label: string; outcome?: string | undefined }) {
  const list = useRef<HTMLOListElement>(null);
  useRevealFirstProblem(list, outcome);
  return (
    <ol ref={list} className="phase-list" aria-label={label}>
      {phases.map((p) => (
        <PhaseItem key={`${p.index}-${p.name}`} phase={p} total={phases.length} />
      ))}
    </ol>
  );
}

/** setup and teardown phases are marked; main is the rest. */
export const GROUP = { setup: 'phase.setup', main: 'phase.main', teardown: 'phase.teardown' } as const;

/** One phase; re-renders only when its own live object changes (the reducer keeps the others). */
const PhaseItem = memo(function PhaseItem({ phase, total }: { phase: LivePhase; total: number }) {
  const { t } = useTranslation();
  const f = useFormat();
  const text = useProcedureText();
  const ref = useRef<HTMLLIElement>(null);
  const running = phase.status === 'running';
  const now = useNow(running, 100);
  // Keep the phase at work in view on a long list.
  useEffect(() => {
    if (running) revealWithin(ref.current?.closest('.phase-list') ?? null, ref.current);
  }, [running]);

  const duration = running && phase.startedAt ? Math.max(0, now - Date.parse(phase.startedAt)) : phase.durationMs;
  const title = text(phase.title, phase.titles) ?? phase.name;
  return (
    <li ref={ref} className={`phase phase--${phase.status.toLowerCase()}`}>
      <div className="phase-head">
        <span className="phase-index" aria-hidden="true">
          {phase.index + 1}
        </span>
        <span className="phase-status">
          <OutcomeBadge outcome={phase.status} />
        </span>
        <span className="phase-title">
          <span className="phase-title-text">{title}</span>
          <span className="phase-name mono">
            {phase.name}
            {phase.attempt > 1 ? ` · ${t('phase.attempt', { n: phase.attempt })}` : ''}
            {phase.group !== 'main' ? ` · ${t(GROUP[phase.group])}` : ''}
          </span>
        </span>
        <span className="phase-duration num">{f.duration(duration)}</span>
        <span className="sr-only">{t('operator.phaseOf', { n: phase.index + 1, total })}</span>
      </div>
      {running && (phase.message || phase.progress !== undefined) ? (
        <div className="phase-progress">
          {phase.progress !== undefined ? (
            <div
              className="progress progress--thin"
              role="progressbar"
              aria-label={t('phase.progressOf', { phase: title })}
              aria-valuemin={0}
              aria-valuemax={100}
              aria-valuenow={Math.round(phase.progress * 100)}
            >
              <div className="progress-bar" style={{ '--done': phase.progress } as CSSProperties} />
            </div>
          ) : null}
          {phase.message ? <p className="phase-message">{phase.message}</p> : null}
        </div>
      ) : null}
      {phase.error ? <PhaseErrorNote error={phase.error} /> : null}
      {phase.measurements.length > 0 ? <MeasurementTable measurements={phase.measurements} label={t('phase.measurementsOf', { phase: title })} /> : null}
    </li>
  );
});
