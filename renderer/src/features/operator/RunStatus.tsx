import { useEffect, useEffectEvent, useId, type CSSProperties } from 'react';
import { Trans, useTranslation } from 'react-i18next';
import type { TFunction } from 'i18next';
import type { LiveRun } from '#contract/live.ts';
import type { ProcedureSummary } from '#contract/procedure.ts';
import { Kbd } from '../../components/Kbd.tsx';
import { hasModifier } from '../../components/dom.ts';
import { useFormat } from '../../i18n/use-format.ts';
import { recordedText } from '../../i18n/record-text.ts';
import type { Formatter } from '../../components/format.ts';
import { useNow } from '../../components/use-now.ts';
import { runHref } from '../../router.ts';

/** Nothing tested yet on this socket: say what to do. */
export function IdleStatus({ procedure, starting }: { procedure: ProcedureSummary | null; starting: boolean }) {
  const { t } = useTranslation();
  const example = procedure?.serialExample;
  return (
    <section className="status status--idle" aria-label={t('operator.status')}>
      <h2 className="status-title">{starting ? t('operator.gettingReady') : t('operator.ready')}</h2>
      <p className="status-text">
        {starting ? t('operator.runnerStarting') : t('operator.placeUnit')}
        {example ? (
          <>
            {' '}
            <Trans i18nKey="operator.serialsLookLike" values={{ example }} components={{ serial: <span className="mono strong" /> }} />
          </>
        ) : null}
      </p>
    </section>
  );
}

interface RunningProps {
  run: LiveRun;
  /** A question is open below: one line, so the question and Abort both fit on screen. */
  compact: boolean;
  aborting: boolean;
  onAbort(): void;
  ownsKeys(): boolean;
  /** Esc aborts this run (false: it acts on another socket, so the button does not show it). */
  escKey?: boolean;
}

/** A run in progress: the unit, progress, elapsed time and the Abort button (Escape). */
export function RunningStatus({ run, compact, aborting, onAbort, ownsKeys, escKey = true }: RunningProps) {
  const { t } = useTranslation();
  const f = useFormat();
  const now = useNow(true, 200);
  const done = run.phases.filter((p) => p.status !== 'waiting' && p.status !== 'running').length;
  const current = run.phases.find((p) => p.status === 'running');
  const total = run.phases.length;

  const onKey = useEffectEvent((e: KeyboardEvent) => {
    if (e.key !== 'Escape' || e.defaultPrevented || hasModifier(e) || !ownsKeys()) return;
    e.preventDefault();
    onAbort();
  });
  useEffect(() => {
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  const abortButton = (
    <button
      type="button"
      className={`button button--abort${compact ? ' button--abort-compact' : ''}`}
      onClick={onAbort}
      disabled={aborting}
      aria-keyshortcuts={escKey ? 'Escape' : undefined}
    >
      {aborting ? t('operator.aborting') : t('operator.abort')} {escKey ? <Kbd>Esc</Kbd> : null}
    </button>
  );

  if (compact) {
    return (
      <section className="status status--running status--compact" aria-label={t('operator.runInProgress')}>
        <div className="status-compact-text">
          <span className="status-kicker">
            <span className="spinner" aria-hidden="true" /> {t('operator.testing')}
          </span>
          <span className="status-compact-serial mono">{run.unit.serialNumber}</span>
          <span className="status-compact-meta num">
            {t('operator.phaseOf', { n: Math.min(done + 1, total), total })} · {f.duration(Math.max(0, now - Date.parse(run.startedAt)))}
          </span>
        </div>
        {abortButton}
      </section>
    );
  }

  return (
    <section className="status status--running" aria-label={t('operator.runInProgress')}>
      <div className="status-row">
        <span className="status-kicker">
          <span className="spinner" aria-hidden="true" /> {t('operator.testing')}
        </span>
        <span className="status-elapsed num">{f.duration(Math.max(0, now - Date.parse(run.startedAt)))}</span>
      </div>
      <p className="status-serial mono">{run.unit.serialNumber}</p>
      <div className="progress" role="progressbar" aria-label={t('operator.phasesDoneLabel')} aria-valuemin={0} aria-valuemax={total} aria-valuenow={done}>
        <div className="progress-bar" style={{ '--done': total ? done / total : 0 } as CSSProperties} />
      </div>
      <p className="status-text">
        {t('operator.phaseOf', { n: Math.min(done + 1, total), total })}
        {current ? (
          <>
            {' · '}
            <strong>{current.title ?? current.name}</strong>
          </>
        ) : null}
      </p>
      {current?.message ? <p className="status-message">{current.message}</p> : null}
      {abortButton}
    </section>
  );
}

/**
 * The run's runner was killed (a phase that would not stop, an abort, a crash): a fresh
 * runner runs its teardown before the next unit. Nothing to press; scans wait.
 */
export function CleaningStatus({ run }: { run: LiveRun }) {
  const { t } = useTranslation();
  const cut = run.phases.find((p) => (p.status === 'ERROR' || p.status === 'ABORTED') && p.group !== 'teardown' && p.error);
  const current = run.phases.find((p) => p.status === 'running' && p.group === 'teardown');
  const strong = { phase: <strong /> };
  return (
    <section className="status status--cleanup" aria-label={t('operator.cleaningUpLabel')} role="status">
      <h2 className="status-title">
        <span className="spinner" aria-hidden="true" /> {t('operator.cleaningUp')}
      </h2>
      <p className="status-serial mono">{run.unit.serialNumber}</p>
      <p className="status-text">
        {cut ? (
          <Trans i18nKey="operator.phaseStopped" values={{ phase: cut.title ?? cut.name, why: cut.error!.message }} components={strong} />
        ) : (
          t('operator.runStopped')
        )}{' '}
        {current ? <Trans i18nKey="operator.teardownPhase" values={{ phase: current.title ?? current.name }} components={strong} /> : t('operator.teardown')}
      </p>
    </section>
  );
}

/** The verdict's word, shown in capitals: the language's own (the colour and the word say it, never the colour alone). */
const WORD = { PASS: 'result.pass', FAIL: 'result.fail', ERROR: 'result.error', ABORTED: 'result.aborted' } as const;

/** The verdict, large: the operator reads it from across the bench. */
export function ResultBanner({ run }: { run: LiveRun & { outcome: NonNullable<LiveRun['outcome']> } }) {
  const { t } = useTranslation();
  const f = useFormat();
  const id = useId();
  const failing = run.failing;
  return (
    <section className={`result result--${run.outcome.toLowerCase()}`} aria-labelledby={`${id}-word`}>
      <h2 id={`${id}-word`} className="result-word">
        {t(WORD[run.outcome])}
      </h2>
      <div className="result-unit">
        <span className="result-serial mono">{run.unit.serialNumber}</span>
        <span className="result-duration num">{f.duration(run.durationMs)}</span>
      </div>
      {run.outcomeReason ? <p className="result-reason">{recordedText(t, f, run.outcomeReason)}</p> : null}
      {failing.length > 0 ? (
        <table className="failing" aria-label={t('result.failingMeasurements')}>
          <caption>{t('result.failingMeasurements')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('measurement.name')}</th>
              <th scope="col" className="num">
                {t('measurement.value')}
              </th>
              <th scope="col">{t('measurement.why')}</th>
            </tr>
          </thead>
          <tbody>
            {failing.map((m, i) => (
              <tr key={`${m.phase}-${m.name}-${i}`}>
                <th scope="row">
                  <span className="mono">{m.name}</span>
                  <span className="failing-phase">{m.phase}</span>
                </th>
                <td className="num value">
                  {f.value(m.value)}
                  {m.units ? <span className="units"> {m.units}</span> : null}
                </td>
                <td>{m.reason ? recordedText(t, f, m.reason) : '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      <p className="result-next">
        {t('result.scanNext')} <a href={runHref(run.runId)}>{t('result.details')}</a>
      </p>
    </section>
  );
}

/** What the live region says when a run ends. */
export function resultSentence(t: TFunction, f: Formatter, run: LiveRun): string {
  if (!run.outcome) return '';
  const serial = run.unit.serialNumber;
  if (run.outcome === 'PASS') return t('result.sentencePass', { serial });
  if (run.outcome === 'FAIL') {
    const names = run.failing.map((m) => m.name).join(', ');
    return names
      ? t('result.sentenceFailNames', { serial, count: run.failing.length, names })
      : t('result.sentenceFail', { serial, count: run.failing.length });
  }
  const word = t(WORD[run.outcome]);
  return run.outcomeReason
    ? t('result.sentenceOtherReason', { serial, outcome: word, reason: recordedText(t, f, run.outcomeReason) })
    : t('result.sentenceOther', { serial, outcome: word });
}
