import { useEffect, useEffectEvent, useId, type CSSProperties } from 'react';
import type { LiveRun } from '#contract/live.ts';
import type { ProcedureSummary } from '#contract/procedure.ts';
import { Kbd } from '../../components/Kbd.tsx';
import { hasModifier } from '../../components/dom.ts';
import { formatDuration, formatValue } from '../../components/format.ts';
import { useNow } from '../../components/use-now.ts';
import { runHref } from '../../router.ts';

/** Nothing tested yet on this socket: say what to do. */
export function IdleStatus({ procedure, starting }: { procedure: ProcedureSummary | null; starting: boolean }) {
  const example = procedure?.serialExample;
  return (
    <section className="status status--idle" aria-label="Status">
      <h2 className="status-title">{starting ? 'Getting ready…' : 'Ready for the next unit'}</h2>
      <p className="status-text">
        {starting ? 'The test runner is starting. Scanning works in a moment.' : 'Place the unit in the fixture and scan its serial number label.'}
        {example ? (
          <>
            {' '}
            Serial numbers look like <span className="mono strong">{example}</span>.
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
      {aborting ? 'Aborting…' : 'Abort'} {escKey ? <Kbd>Esc</Kbd> : null}
    </button>
  );

  if (compact) {
    return (
      <section className="status status--running status--compact" aria-label="Run in progress">
        <div className="status-compact-text">
          <span className="status-kicker">
            <span className="spinner" aria-hidden="true" /> Testing
          </span>
          <span className="status-compact-serial mono">{run.unit.serialNumber}</span>
          <span className="status-compact-meta num">
            Phase {Math.min(done + 1, total)} of {total} · {formatDuration(Math.max(0, now - Date.parse(run.startedAt)))}
          </span>
        </div>
        {abortButton}
      </section>
    );
  }

  return (
    <section className="status status--running" aria-label="Run in progress">
      <div className="status-row">
        <span className="status-kicker">
          <span className="spinner" aria-hidden="true" /> Testing
        </span>
        <span className="status-elapsed num">{formatDuration(Math.max(0, now - Date.parse(run.startedAt)))}</span>
      </div>
      <p className="status-serial mono">{run.unit.serialNumber}</p>
      <div className="progress" role="progressbar" aria-label="Phases done" aria-valuemin={0} aria-valuemax={total} aria-valuenow={done}>
        <div className="progress-bar" style={{ '--done': total ? done / total : 0 } as CSSProperties} />
      </div>
      <p className="status-text">
        Phase {Math.min(done + 1, total)} of {total}
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
  const cut = run.phases.find((p) => (p.status === 'ERROR' || p.status === 'ABORTED') && p.group !== 'teardown' && p.error);
  const current = run.phases.find((p) => p.status === 'running' && p.group === 'teardown');
  return (
    <section className="status status--cleanup" aria-label="Cleaning up" role="status">
      <h2 className="status-title">
        <span className="spinner" aria-hidden="true" /> Cleaning up…
      </h2>
      <p className="status-serial mono">{run.unit.serialNumber}</p>
      <p className="status-text">
        {cut ? (
          <>
            <strong>{cut.title ?? cut.name}</strong> was stopped: {cut.error!.message}.{' '}
          </>
        ) : (
          'The run was stopped. '
        )}
        The teardown is making the unit safe
        {current ? (
          <>
            {' '}
            (<strong>{current.title ?? current.name}</strong>)
          </>
        ) : null}
        . Leave the unit in the fixture; the next scan works when this is done.
      </p>
    </section>
  );
}

const WORD = { PASS: 'PASS', FAIL: 'FAIL', ERROR: 'ERROR', ABORTED: 'ABORTED' } as const;

/** The verdict, large: the operator reads it from across the bench. */
export function ResultBanner({ run }: { run: LiveRun & { outcome: NonNullable<LiveRun['outcome']> } }) {
  const id = useId();
  const failing = run.failing;
  return (
    <section className={`result result--${run.outcome.toLowerCase()}`} aria-labelledby={`${id}-word`}>
      <h2 id={`${id}-word`} className="result-word">
        {WORD[run.outcome]}
      </h2>
      <div className="result-unit">
        <span className="result-serial mono">{run.unit.serialNumber}</span>
        <span className="result-duration num">{formatDuration(run.durationMs)}</span>
      </div>
      {run.outcomeReason ? <p className="result-reason">{run.outcomeReason}</p> : null}
      {failing.length > 0 ? (
        <table className="failing" aria-label="Failing measurements">
          <caption>Failing measurements</caption>
          <thead>
            <tr>
              <th scope="col">Measurement</th>
              <th scope="col" className="num">
                Value
              </th>
              <th scope="col">Why</th>
            </tr>
          </thead>
          <tbody>
            {failing.map((f, i) => (
              <tr key={`${f.phase}-${f.name}-${i}`}>
                <th scope="row">
                  <span className="mono">{f.name}</span>
                  <span className="failing-phase">{f.phase}</span>
                </th>
                <td className="num value">
                  {formatValue(f.value)}
                  {f.units ? <span className="units"> {f.units}</span> : null}
                </td>
                <td>{f.reason ?? '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      <p className="result-next">
        Scan the next unit. <a href={runHref(run.runId)}>Details of this run</a>
      </p>
    </section>
  );
}

/** What the live region says when a run ends. */
export function resultSentence(run: LiveRun): string {
  if (!run.outcome) return '';
  const serial = run.unit.serialNumber;
  if (run.outcome === 'PASS') return `${serial}: PASS.`;
  if (run.outcome === 'FAIL') {
    const names = run.failing.map((f) => f.name).join(', ');
    return `${serial}: FAIL. ${run.failing.length} failing measurement${run.failing.length === 1 ? '' : 's'}${names ? `: ${names}` : ''}.`;
  }
  return `${serial}: ${run.outcome}.${run.outcomeReason ? ` ${run.outcomeReason}.` : ''}`;
}
