import { useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { errorText } from '../../i18n/errors.ts';
import { useFormat } from '../../i18n/use-format.ts';
import { TARGET_STATE } from '../../components/upload-text.ts';
import { ListBody, ListMessages } from '../../components/ListState.tsx';
import type { StationError } from '#contract/errors.ts';
import type { CommandOutput } from '#contract/commands.ts';
import type { CalibrationEntry } from '#contract/instruments.ts';
import type { ParkedRun, UploadStatus } from '#contract/upload.ts';
import type { LiveSocket } from '#contract/live.ts';
import { useStationClient, useStationView } from '../../api/station-context.tsx';
import { OutcomeBadge } from '../../components/Badge.tsx';
import { runHref } from '../../router.ts';
import { DatabaseNotice } from '../../components/DatabaseNotice.tsx';
import { DriftAlerts } from './DriftAlerts.tsx';
import { SettingsNotice } from '../../components/SettingsNotice.tsx';
import type { StationSnapshot } from '#contract/commands.ts';

type InstrumentItem = CommandOutput<'instruments.list'>['instruments'][number];

/** What a supervisor looks after: drift alerts, upload targets, parked runs, instruments and their calibration. */
interface Props {
  upload: UploadStatus | null;
  /** The database itself: salvaged, damaged, newer or unavailable shows its own notice. */
  database?: StationSnapshot['database'];
  /** The procedure did not load (nothing can be tested), or an edit did not (the last good version runs). */
  procedureError?: StationError | null;
  procedureWarning?: StationError | null;
  /** Mistakes in the settings file, each with what is used instead. */
  settingsProblems?: readonly string[];
}

export function SupervisorPage({ upload, database = { state: 'ok' }, procedureError = null, procedureWarning = null, settingsProblems = [] }: Props) {
  const { t } = useTranslation();
  const heading = useRef<HTMLHeadingElement>(null);

  useEffect(() => {
    heading.current?.focus();
  }, []);

  return (
    <section className="page supervisor-page" aria-labelledby="supervisor-title">
      <div className="page-head">
        <h1 id="supervisor-title" ref={heading} tabIndex={-1}>
          {t('supervisor.title')}
        </h1>
        <p className="list-meta">{t('supervisor.lead')}</p>
      </div>
      <DatabaseNotice database={database} />
      <SettingsNotice problems={settingsProblems} detailed />
      {procedureError || procedureWarning ? (
        <section
          className={procedureError ? 'procedure-error' : 'procedure-warning'}
          role={procedureError ? 'alert' : 'status'}
          aria-labelledby="supervisor-procedure-title"
        >
          <h2 id="supervisor-procedure-title">{procedureError ? t('supervisor.procedureError') : t('procedure.warningTitle')}</h2>
          <pre className="procedure-error-message">{errorText(t, (procedureError ?? procedureWarning)!)}</pre>
        </section>
      ) : null}
      <DriftAlerts />
      <UploadTargets upload={upload} />
      <ParkedRuns parkedCount={upload?.parkedRuns ?? 0} />
      <Instruments />
      <Calibration />
    </section>
  );
}

function UploadTargets({ upload }: { upload: UploadStatus | null }) {
  const { t } = useTranslation();
  const f = useFormat();
  const targets = upload?.targets ?? [];
  return (
    <section className="card supervisor-section" aria-labelledby="targets-title">
      <h2 id="targets-title" className="section-title">
        {t('supervisor.targets')}
      </h2>
      {upload === null ? (
        <p className="list-meta">{t('common.loading')}</p>
      ) : targets.length === 0 ? (
        <p className="list-meta">{t('supervisor.noTargets')}</p>
      ) : (
        <table className="runs" aria-label={t('supervisor.targets')}>
          <thead>
            <tr>
              <th scope="col">{t('uploads.target')}</th>
              <th scope="col">{t('supervisor.kind')}</th>
              <th scope="col">{t('uploads.state')}</th>
              <th scope="col" className="num">
                {t('uploads.waiting')}
              </th>
              <th scope="col" className="num">
                {t('uploads.parked')}
              </th>
              <th scope="col">{t('supervisor.lastError')}</th>
              <th scope="col">{t('supervisor.nextAttempt')}</th>
            </tr>
          </thead>
          <tbody>
            {targets.map((target) => (
              <tr key={target.id}>
                <th scope="row">
                  <span className="mono">{target.id}</span>
                  <div className="muted small">{target.label}</div>
                </th>
                <td>{target.kind}</td>
                <td>
                  <span className={`target-state target-state--${target.reachable === false ? 'bad' : target.state}`}>
                    {t(TARGET_STATE[target.state])}
                    {target.reachable === false ? ` · ${t('supervisor.unreachable')}` : ''}
                  </span>
                </td>
                <td className="num">{f.count(target.waiting)}</td>
                <td className="num">{f.count(target.parked)}</td>
                <td className="reason-cell">
                  {target.lastError ? (
                    <>
                      {target.lastError}
                      {target.lastErrorAt ? <div className="muted small">{f.dateTime(target.lastErrorAt)}</div> : null}
                    </>
                  ) : (
                    <span className="muted">—</span>
                  )}
                </td>
                <td className="num">{target.nextAttemptAt ? f.dateTime(target.nextAttemptAt) : '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function ParkedRuns({ parkedCount }: { parkedCount: number }) {
  const { t } = useTranslation();
  const f = useFormat();
  const client = useStationClient();
  const [runs, setRuns] = useState<ParkedRun[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  /** The row whose Drop asks for a reason: `${target}\u0000${runId}`. */
  const [dropping, setDropping] = useState<string | null>(null);
  const [reason, setReason] = useState('');
  const [tick, setTick] = useState(0);
  const reasonInput = useRef<HTMLInputElement>(null);
  // Drop… asks for the reason at once.
  useEffect(() => {
    if (dropping) reasonInput.current?.focus();
  }, [dropping]);

  // Reloads when the station's parked count changes (a run parked, retried or dropped anywhere).
  useEffect(() => {
    let live = true;
    void client.invoke('upload.listParked', {}).then((r) => {
      if (!live) return;
      if (r.ok) setRuns(r.value.runs);
      else setError(errorText(t, r.error));
    });
    return () => {
      live = false;
    };
  }, [client, parkedCount, tick, t]);

  const retry = async (run: ParkedRun): Promise<void> => {
    const r = await client.invoke('upload.retry', { target: run.target, runIds: [run.runId] });
    if (!r.ok) {
      setError(errorText(t, r.error));
      return;
    }
    setError(null);
    setNotice(t('supervisor.retried', { serial: run.serialNumber, target: run.target }));
    setTick((t) => t + 1);
  };

  const drop = async (run: ParkedRun): Promise<void> => {
    const why = reason.trim();
    const r = await client.invoke('upload.drop', { target: run.target, runIds: [run.runId], ...(why ? { reason: why } : {}) });
    if (!r.ok) {
      setError(errorText(t, r.error));
      return;
    }
    setError(null);
    setDropping(null);
    setReason('');
    setNotice(t('supervisor.dropped', { serial: run.serialNumber, target: run.target }));
    setTick((t) => t + 1);
  };

  return (
    <section className="card supervisor-section" aria-labelledby="parked-title">
      <h2 id="parked-title" className="section-title">
        {t('supervisor.parked')}
      </h2>
      <p className="list-meta">{t('supervisor.parkedLead')}</p>
      <ListMessages error={error} notice={notice} />
      <ListBody items={runs} error={error} empty={t('supervisor.noParked')}>
        {(runs) => (
          <table className="runs" aria-label={t('supervisor.parked')}>
            <thead>
              <tr>
                <th scope="col">{t('history.serial')}</th>
                <th scope="col">{t('uploads.target')}</th>
                <th scope="col">{t('history.result')}</th>
                <th scope="col">{t('supervisor.whyRefused')}</th>
                <th scope="col">{t('uploads.parked')}</th>
                <th scope="col">{t('common.actions')}</th>
              </tr>
            </thead>
            <tbody>
              {runs.map((run) => {
                const key = `${run.target}\u0000${run.runId}`;
                return (
                  <tr key={key}>
                    <th scope="row">
                      <a className="mono run-link" href={runHref(run.runId)}>
                        {run.serialNumber}
                      </a>
                    </th>
                    <td className="mono">{run.target}</td>
                    <td>
                      <OutcomeBadge outcome={run.outcome} />
                    </td>
                    <td className="reason-cell">
                      {run.reason}
                      <div className="muted small">{t('supervisor.afterAttempts', { count: run.attempts })}</div>
                    </td>
                    <td className="num">{f.dateTime(run.parkedAt)}</td>
                    <td>
                      {dropping === key ? (
                        <form
                          className="drop-form"
                          onSubmit={(e) => {
                            e.preventDefault();
                            void drop(run);
                          }}
                        >
                          <label htmlFor={`drop-reason-${run.runId}`}>{t('supervisor.dropReason', { serial: run.serialNumber })}</label>
                          <input id={`drop-reason-${run.runId}`} value={reason} onChange={(e) => setReason(e.target.value)} ref={reasonInput} maxLength={500} />
                          <div className="row-actions">
                            <button type="submit" className="button button--abort">
                              {t('supervisor.dropForGood')}
                            </button>
                            <button type="button" className="button button--secondary" onClick={() => setDropping(null)}>
                              {t('common.cancel')}
                            </button>
                          </div>
                        </form>
                      ) : (
                        <div className="row-actions">
                          <button
                            type="button"
                            className="button button--primary"
                            onClick={() => void retry(run)}
                            aria-label={t('supervisor.retryLabel', { serial: run.serialNumber, target: run.target })}
                          >
                            {t('uploads.retry')}
                          </button>
                          <button
                            type="button"
                            className="button button--secondary"
                            onClick={() => {
                              setReason('');
                              setDropping(key);
                            }}
                            aria-label={t('supervisor.dropLabel', { serial: run.serialNumber, target: run.target })}
                          >
                            {t('supervisor.drop')}
                          </button>
                        </div>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
      </ListBody>
    </section>
  );
}

type TestResult = { ok: true; text: string } | { ok: false; text: string };

/** An instrument's connection state in words. */
const INSTRUMENT_STATE = {
  connecting: 'supervisor.stateConnecting',
  connected: 'supervisor.stateConnected',
  disconnected: 'supervisor.stateDisconnected',
  closed: 'supervisor.stateClosed',
} as const;

/**
 * The list as loaded, with each instrument's state, message and identity as the live view
 * has them now: `instrument.changed` events keep the live view current, as they keep the
 * operator's banner, so an instrument that goes away shows here without a refresh.
 */
function withLiveState(items: InstrumentItem[] | null, sockets: readonly LiveSocket[]): InstrumentItem[] | null {
  if (!items) return items;
  return items.map((it) => {
    const live = sockets.find((s) => s.socket === it.socket)?.instruments?.find((i) => i.name === it.name);
    if (!live) return it;
    const { message: _old, ...rest } = it;
    return {
      ...rest,
      state: live.state,
      ...(live.message !== undefined ? { message: live.message } : {}),
      ...(live.identity ? { identity: live.identity } : {}),
    };
  });
}

function Instruments() {
  const { t } = useTranslation();
  const client = useStationClient();
  const { sockets } = useStationView();
  const [loaded, setItems] = useState<InstrumentItem[] | null>(null);
  const items = useMemo(() => withLiveState(loaded, sockets), [loaded, sockets]);
  const f = useFormat();
  const [error, setError] = useState<string | null>(null);
  const [tests, setTests] = useState<Record<string, TestResult | 'testing'>>({});

  const [reload, setReload] = useState(0);
  const load = (): void => setReload((n) => n + 1);
  useEffect(() => {
    let live = true;
    void client.invoke('instruments.list', {}).then((r) => {
      if (!live) return;
      if (r.ok) {
        setItems(r.value.instruments);
        setError(null);
      } else setError(errorText(t, r.error));
    });
    return () => {
      live = false;
    };
  }, [client, reload, t]);

  const run = async (it: InstrumentItem): Promise<void> => {
    const key = `${it.socket}\u0000${it.name}`;
    setTests((t) => ({ ...t, [key]: 'testing' }));
    const r = await client.invoke('instrument.test', { address: it.address });
    const result: TestResult = r.ok
      ? {
          ok: true,
          text: t('supervisor.identity', {
            maker: r.value.identity.maker,
            model: r.value.identity.model,
            serial: r.value.identity.serial,
            firmware: r.value.identity.firmware,
            ms: Math.round(r.value.roundTripMs),
          }),
        }
      : { ok: false, text: errorText(t, r.error) };
    setTests((t) => ({ ...t, [key]: result }));
  };

  return (
    <section className="card supervisor-section" aria-labelledby="instruments-title">
      <div className="section-head">
        <h2 id="instruments-title" className="section-title">
          {t('operator.instruments')}
        </h2>
        <button type="button" className="button button--secondary" onClick={load}>
          {t('supervisor.refresh')}
        </button>
      </div>
      <ListMessages error={error} />
      <ListBody items={items} error={error} empty={t('supervisor.noInstruments')}>
        {(items) => (
          <table className="runs" aria-label={t('operator.instruments')}>
            <thead>
              <tr>
                <th scope="col">{t('supervisor.instrument')}</th>
                <th scope="col">{t('supervisor.socket')}</th>
                <th scope="col">{t('supervisor.address')}</th>
                <th scope="col">{t('uploads.state')}</th>
                <th scope="col">{t('supervisor.calibrationDue')}</th>
                <th scope="col">{t('header.connectionLabel')}</th>
              </tr>
            </thead>
            <tbody>
              {items.map((it) => {
                const key = `${it.socket}\u0000${it.name}`;
                const test = tests[key];
                return (
                  <tr key={key}>
                    <th scope="row">
                      <span className="mono">{it.name}</span>
                      <div className="muted small">{it.identity ? `${it.identity.maker} ${it.identity.model} · ${it.identity.serial}` : it.driver}</div>
                    </th>
                    <td className="num">{it.socket + 1}</td>
                    <td className="mono small">{it.address}</td>
                    <td>
                      <span className={it.state === 'disconnected' ? 'tag tag--fail' : undefined}>{t(INSTRUMENT_STATE[it.state])}</span>
                      {it.message ? <div className="muted small">{it.message}</div> : null}
                    </td>
                    <td>
                      {it.calibrationDue ? (
                        <span className={it.calibrationOverdue ? 'tag tag--fail' : undefined}>
                          {f.date(it.calibrationDue)}
                          {it.calibrationOverdue ? ` · ${t('supervisor.pastDue')}` : ''}
                        </span>
                      ) : (
                        <span className="muted">{t('supervisor.notInInventory')}</span>
                      )}
                    </td>
                    <td>
                      <button
                        type="button"
                        className="button button--secondary"
                        onClick={() => void run(it)}
                        disabled={test === 'testing'}
                        aria-label={
                          items.some((o) => o !== it && o.name === it.name)
                            ? t('supervisor.testLabelSocket', { name: it.name, socket: it.socket + 1 })
                            : t('supervisor.testLabel', { name: it.name })
                        }
                      >
                        {test === 'testing' ? t('supervisor.testing') : t('supervisor.test')}
                      </button>
                      {test && test !== 'testing' ? (
                        <div className={test.ok ? 'test-ok' : 'field-error'} role={test.ok ? 'status' : 'alert'}>
                          {test.ok ? t('supervisor.answered', { text: test.text }) : test.text}
                        </div>
                      ) : null}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
      </ListBody>
    </section>
  );
}

function Calibration() {
  const { t } = useTranslation();
  const f = useFormat();
  const client = useStationClient();
  const [entries, setEntries] = useState<CalibrationEntry[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    void client.invoke('calibration.list', {}).then((r) => {
      if (!live) return;
      if (r.ok) setEntries(r.value.entries);
      else setError(errorText(t, r.error));
    });
    return () => {
      live = false;
    };
  }, [client, t]);
  const today = new Date().toISOString().slice(0, 10);
  return (
    <section className="card supervisor-section" aria-labelledby="calibration-title">
      <h2 id="calibration-title" className="section-title">
        {t('supervisor.calibration')}
      </h2>
      <ListMessages error={error} />
      <ListBody items={entries} error={error} empty={t('supervisor.noCalibration')}>
        {(entries) => (
          <table className="runs" aria-label={t('supervisor.calibration')}>
            <thead>
              <tr>
                <th scope="col">{t('supervisor.instrument')}</th>
                <th scope="col">{t('supervisor.serial')}</th>
                <th scope="col">{t('supervisor.due')}</th>
                <th scope="col">{t('supervisor.note')}</th>
                <th scope="col">{t('supervisor.updated')}</th>
              </tr>
            </thead>
            <tbody>
              {entries.map((e) => (
                <tr key={`${e.maker}\u0000${e.model}\u0000${e.serial}`}>
                  <th scope="row">
                    {e.maker} {e.model}
                  </th>
                  <td className="mono">{e.serial}</td>
                  <td>
                    {e.dueDate < today ? (
                      <span className="tag tag--fail">
                        {f.date(e.dueDate)} · {t('supervisor.pastDue')}
                      </span>
                    ) : (
                      f.date(e.dueDate)
                    )}
                  </td>
                  <td>{e.note ?? ''}</td>
                  <td className="muted small">
                    {e.updatedAt && e.updatedBy
                      ? t('supervisor.updatedBy', { when: f.dateTime(e.updatedAt), who: e.updatedBy })
                      : e.updatedAt
                        ? f.dateTime(e.updatedAt)
                        : e.updatedBy
                          ? t('supervisor.by', { who: e.updatedBy })
                          : ''}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </ListBody>
    </section>
  );
}
