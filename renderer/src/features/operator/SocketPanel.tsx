import { useCallback, useMemo, useRef, useState, type Ref } from 'react';
import { useTranslation } from 'react-i18next';
import type { StationError } from '#contract/errors.ts';
import type { LivePhase, LiveSocket } from '#contract/live.ts';
import type { ProcedureSummary } from '#contract/procedure.ts';
import type { PromptAnswer } from '#contract/prompts.ts';
import { useStationClient } from '../../api/station-context.tsx';
import { PhaseList } from './PhaseList.tsx';
import { PromptPanel, promptKeys } from './PromptPanel.tsx';
import { CleaningStatus, IdleStatus, ResultBanner, RunningStatus, resultSentence } from './RunStatus.tsx';
import { APPROVABLE, ApprovalPanel, type Refusal, type RetryWith } from './ApprovalPanel.tsx';
import { SerialForm, type SerialFormHandle } from './SerialForm.tsx';
import { RecentUnits } from './RecentUnits.tsx';
import { errorText, refusalText } from '../../i18n/errors.ts';
import { useFormat } from '../../i18n/use-format.ts';

interface Props {
  socket: LiveSocket;
  procedure: ProcedureSummary | null;
  /** More than one socket on this station: label everything with the socket's number. */
  multi: boolean;
  /** Which sockets the shortcut keys act on now, asked when a key comes (focus may have moved). */
  keyOwners(): { prompt: number | null; esc: number | null };
  /** The same, as last rendered: the question's hint and the Abort button's Esc. */
  keys: { prompt: boolean; esc: boolean };
  /** The serial form, for the scanner hook to start scanned units. */
  formRef: Ref<SerialFormHandle>;
  runsEnded: number;
}

/** Phases the procedure will run, shown as waiting before the first unit. */
function plannedPhases(procedure: ProcedureSummary | null): LivePhase[] {
  if (!procedure) return [];
  const enabled = procedure.phases.filter((p) => p.enabled);
  const ordered = [
    ...enabled.filter((p) => p.group === 'setup'),
    ...enabled.filter((p) => p.group === 'main'),
    ...enabled.filter((p) => p.group === 'teardown'),
  ];
  return ordered.map((p, index) => ({
    index,
    name: p.name,
    title: p.title,
    ...(p.titles !== undefined ? { titles: p.titles } : {}),
    group: p.group,
    status: 'waiting',
    attempt: 1,
    measurements: [],
    logs: [],
  }));
}

export function SocketPanel({ socket, procedure, multi, keyOwners, keys, formRef, runsEnded }: Props) {
  const { t } = useTranslation();
  const f = useFormat();
  const client = useStationClient();
  const panel = useRef<HTMLElement>(null);
  const [refusal, setRefusal] = useState<{ message: string; n: number } | null>(null);
  const [abortingRun, setAbortingRun] = useState<string | null>(null);
  const [abortError, setAbortError] = useState<string | null>(null);
  const [approval, setApproval] = useState<Refusal | null>(null);

  const number = socket.socket + 1;
  const run = socket.run;
  const running = run !== null && run.outcome === undefined;
  const waiting = !running && socket.state !== 'error';
  const planned = useMemo(() => plannedPhases(procedure), [procedure]);
  const phases = run ? run.phases : planned;
  const done = phases.filter((p) => p.status !== 'waiting' && p.status !== 'running').length;

  const start = async (serialNumber: string, extra: RetryWith | Record<string, never> = {}): Promise<StationError | null> => {
    const r = await client.invoke('run.start', { socket: socket.socket, serialNumber, ...extra });
    if (r.ok) {
      setRefusal(null);
      setAbortError(null);
      setApproval(null);
      return null;
    }
    // A refusal someone may lift opens the approval panel; a bad badge keeps it open with the message.
    if (APPROVABLE.has(r.error.kind)) setApproval({ serialNumber, error: r.error });
    else if (r.error.kind !== 'supervisor.invalid') setApproval(null);
    return { ...r.error, message: refusalText(t, r.error) };
  };

  const abort = (): void => {
    if (!run || abortingRun === run.runId) return;
    setAbortingRun(run.runId);
    void client.invoke('run.abort', { socket: socket.socket }).then((r) => {
      if (!r.ok) {
        setAbortError(errorText(t, r.error));
        setAbortingRun(null);
      }
    });
  };

  const answer = async (promptId: string, a: PromptAnswer): Promise<StationError | null> => {
    const r = await client.invoke('prompt.answer', { socket: socket.socket, promptId, answer: a });
    return r.ok ? null : r.error;
  };

  const promptOwnsKeys = useCallback(() => keyOwners().prompt === socket.socket, [keyOwners, socket.socket]);
  const runOwnsKeys = useCallback(() => keyOwners().esc === socket.socket, [keyOwners, socket.socket]);
  // Several sockets: say which one the keys act on, on the question itself.
  const shortcut = socket.prompt ? promptKeys(socket.prompt) : '';
  const keysHint =
    !multi || !socket.prompt
      ? null
      : keys.prompt
        ? {
            on: true,
            hint: shortcut
              ? keys.esc
                ? t('operator.keysAnswerAbort', { keys: shortcut, socket: number })
                : t('operator.keysAnswer', { keys: shortcut, socket: number })
              : keys.esc
                ? t('operator.keysAbort', { socket: number })
                : '',
          }
        : shortcut
          ? { on: false, hint: t('operator.keysClick', { keys: shortcut, socket: number }) }
          : null;

  const liveText = refusal ? t('operator.scanRefused', { message: refusal.message }) : run?.outcome ? resultSentence(t, f, run) : '';

  return (
    <section
      ref={panel}
      className={`socket-panel ${multi ? 'socket-panel--narrow' : 'socket-panel--wide'}`}
      data-socket-panel=""
      aria-label={multi ? t('operator.socket', { socket: number }) : t('operator.testSocket')}
    >
      <div className="socket-side">
        {multi ? (
          <h2 className="socket-title">
            {t('operator.socket', { socket: number })}
            {procedure ? <span className="socket-procedure">{procedure.name}</span> : null}
          </h2>
        ) : null}
        <SerialForm
          ref={formRef}
          label={multi ? t('operator.serialOfSocket', { socket: number }) : t('operator.serial')}
          waiting={waiting}
          hint={
            running && socket.state === 'cleanup'
              ? t('operator.hintCleaning')
              : running
                ? t('operator.hintTesting', { serial: run.unit.serialNumber })
                : procedure?.serialExample
                  ? t('operator.hintExpected', { example: procedure.serialExample })
                  : t('operator.hintScan')
          }
          onStart={(serial) => start(serial)}
          onRefused={(message) => setRefusal((r) => ({ message, n: (r?.n ?? 0) + 1 }))}
        />
        {approval && waiting ? (
          <ApprovalPanel
            key={`${approval.serialNumber}-${approval.error.kind}`}
            refusal={approval}
            onRetry={(extra) => start(approval.serialNumber, extra)}
            onCancel={() => setApproval(null)}
          />
        ) : null}
        {socket.state === 'error' ? (
          <section className="status status--error" aria-label={t('operator.socketProblem')} role="alert">
            <h2 className="status-title">{t('operator.cannotTest')}</h2>
            <p className="status-text">{socket.message ?? t('operator.runnerStopped')}</p>
          </section>
        ) : null}
        {running && socket.state === 'cleanup' ? (
          <CleaningStatus run={run} />
        ) : running ? (
          <RunningStatus
            run={run}
            compact={socket.prompt !== null}
            aborting={abortingRun === run.runId}
            onAbort={abort}
            ownsKeys={runOwnsKeys}
            escKey={!multi || keys.esc}
          />
        ) : null}
        {socket.prompt && running ? (
          <PromptPanel
            key={socket.prompt.id}
            prompt={socket.prompt}
            onAnswer={(a) => answer(socket.prompt!.id, a)}
            ownsKeys={promptOwnsKeys}
            keys={keysHint && keysHint.hint ? keysHint : null}
          />
        ) : null}
        {running ? null : run?.outcome ? (
          <ResultBanner run={{ ...run, outcome: run.outcome }} />
        ) : socket.state !== 'error' ? (
          <IdleStatus procedure={procedure} starting={socket.state === 'starting'} />
        ) : null}
        {abortError ? (
          <p className="field-error" role="alert">
            {abortError}
          </p>
        ) : null}
        {!multi && !running ? <RecentUnits socket={socket.socket} runsEnded={runsEnded} /> : null}
      </div>
      <section className="socket-phases" aria-labelledby={`phases-${socket.socket}`}>
        <div className="section-head">
          <h2 id={`phases-${socket.socket}`} className="section-title">
            {t('operator.phases')}
          </h2>
          <span className="section-meta num">
            {run ? t('operator.phasesDone', { done, count: phases.length }) : t('operator.phasesPlanned', { count: phases.length })}
          </span>
        </div>
        <PhaseList phases={phases} label={multi ? t('operator.phasesOfSocket', { socket: number }) : t('operator.phases')} outcome={run?.outcome} />
      </section>
      <div
        className="sr-only"
        role="status"
        aria-live="assertive"
        aria-atomic="true"
        aria-label={multi ? t('operator.announcementsOfSocket', { socket: number }) : t('operator.announcements')}
      >
        <span key={refusal ? `r${refusal.n}` : (run?.runId ?? 'none')}>{liveText}</span>
      </div>
    </section>
  );
}
