import { useEffect, useMemo, useRef, useState } from 'react';
import { ListBody, ListMessages } from '../../components/ListState.tsx';
import type { StationError } from '#contract/errors.ts';
import type { CommandOutput } from '#contract/commands.ts';
import type { CalibrationEntry } from '#contract/instruments.ts';
import type { ParkedRun, TargetStatus, UploadStatus } from '#contract/upload.ts';
import type { LiveSocket } from '#contract/live.ts';
import { useStationClient, useStationView } from '../../api/station-context.tsx';
import { OutcomeBadge } from '../../components/Badge.tsx';
import { formatDateTime } from '../../components/format.ts';
import { runHref } from '../../router.ts';
import { DatabaseNotice } from '../../components/DatabaseNotice.tsx';
import { DriftAlerts } from './DriftAlerts.tsx';
import { SettingsNotice } from '../../components/SettingsNotice.tsx';
import type { StationSnapshot } from '#contract/commands.ts';

type InstrumentItem = CommandOutput<'instruments.list'>['instruments'][number];

const STATE_TEXT: Record<TargetStatus['state'], string> = {
  idle: 'Idle',
  sending: 'Sending',
  retrying: 'Retrying',
  disabled: 'Disabled',
  removed: 'Removed from settings',
};

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
  const heading = useRef<HTMLHeadingElement>(null);

  useEffect(() => {
    heading.current?.focus();
  }, []);

  return (
    <section className="page supervisor-page" aria-labelledby="supervisor-title">
      <div className="page-head">
        <h1 id="supervisor-title" ref={heading} tabIndex={-1}>
          Supervisor
        </h1>
        <p className="list-meta">Every action here is recorded in the audit trail under your name.</p>
      </div>
      <DatabaseNotice database={database} />
      <SettingsNotice problems={settingsProblems} detailed />
      {procedureError || procedureWarning ? (
        <section
          className={procedureError ? 'procedure-error' : 'procedure-warning'}
          role={procedureError ? 'alert' : 'status'}
          aria-labelledby="supervisor-procedure-title"
        >
          <h2 id="supervisor-procedure-title">
            {procedureError
              ? 'The test procedure could not be loaded: no unit can be tested'
              : 'An edit of the procedure did not load: testing goes on with the last good version'}
          </h2>
          <pre className="procedure-error-message">{(procedureError ?? procedureWarning)!.message}</pre>
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
  const targets = upload?.targets ?? [];
  return (
    <section className="card supervisor-section" aria-labelledby="targets-title">
      <h2 id="targets-title" className="section-title">
        Upload targets
      </h2>
      {upload === null ? (
        <p className="list-meta">Loading…</p>
      ) : targets.length === 0 ? (
        <p className="list-meta">No upload target is configured: results stay on this station.</p>
      ) : (
        <table className="runs" aria-label="Upload targets">
          <thead>
            <tr>
              <th scope="col">Target</th>
              <th scope="col">Kind</th>
              <th scope="col">State</th>
              <th scope="col" className="num">
                Waiting
              </th>
              <th scope="col" className="num">
                Parked
              </th>
              <th scope="col">Last error</th>
              <th scope="col">Next attempt</th>
            </tr>
          </thead>
          <tbody>
            {targets.map((t) => (
              <tr key={t.id}>
                <th scope="row">
                  <span className="mono">{t.id}</span>
                  <div className="muted small">{t.label}</div>
                </th>
                <td>{t.kind}</td>
                <td>
                  <span className={`target-state target-state--${t.reachable === false ? 'bad' : t.state}`}>
                    {STATE_TEXT[t.state]}
                    {t.reachable === false ? ' · unreachable' : ''}
                  </span>
                </td>
                <td className="num">{t.waiting}</td>
                <td className="num">{t.parked}</td>
                <td className="reason-cell">
                  {t.lastError ? (
                    <>
                      {t.lastError}
                      {t.lastErrorAt ? <div className="muted small">{formatDateTime(t.lastErrorAt)}</div> : null}
                    </>
                  ) : (
                    <span className="muted">—</span>
                  )}
                </td>
                <td className="num">{t.nextAttemptAt ? formatDateTime(t.nextAttemptAt) : '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function ParkedRuns({ parkedCount }: { parkedCount: number }) {
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
      else setError(r.error.message);
    });
    return () => {
      live = false;
    };
  }, [client, parkedCount, tick]);

  const retry = async (run: ParkedRun): Promise<void> => {
    const r = await client.invoke('upload.retry', { target: run.target, runIds: [run.runId] });
    if (!r.ok) {
      setError(r.error.message);
      return;
    }
    setError(null);
    setNotice(`${run.serialNumber} is sent to ${run.target} again.`);
    setTick((t) => t + 1);
  };

  const drop = async (run: ParkedRun): Promise<void> => {
    const why = reason.trim();
    const r = await client.invoke('upload.drop', { target: run.target, runIds: [run.runId], ...(why ? { reason: why } : {}) });
    if (!r.ok) {
      setError(r.error.message);
      return;
    }
    setError(null);
    setDropping(null);
    setReason('');
    setNotice(`${run.serialNumber} will not be sent to ${run.target}. The run stays in History.`);
    setTick((t) => t + 1);
  };

  return (
    <section className="card supervisor-section" aria-labelledby="parked-title">
      <h2 id="parked-title" className="section-title">
        Parked runs
      </h2>
      <p className="list-meta">A target refused these runs; sending them again would get the same answer until someone fixes the cause.</p>
      <ListMessages error={error} notice={notice} />
      <ListBody items={runs} error={error} empty="No parked runs.">
        {(runs) => (
          <table className="runs" aria-label="Parked runs">
            <thead>
              <tr>
                <th scope="col">Serial number</th>
                <th scope="col">Target</th>
                <th scope="col">Result</th>
                <th scope="col">Why it was refused</th>
                <th scope="col">Parked</th>
                <th scope="col">Actions</th>
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
                      <div className="muted small">
                        after {run.attempts} attempt{run.attempts === 1 ? '' : 's'}
                      </div>
                    </td>
                    <td className="num">{formatDateTime(run.parkedAt)}</td>
                    <td>
                      {dropping === key ? (
                        <form
                          className="drop-form"
                          onSubmit={(e) => {
                            e.preventDefault();
                            void drop(run);
                          }}
                        >
                          <label htmlFor={`drop-reason-${run.runId}`}>Reason for dropping {run.serialNumber}</label>
                          <input id={`drop-reason-${run.runId}`} value={reason} onChange={(e) => setReason(e.target.value)} ref={reasonInput} maxLength={500} />
                          <div className="row-actions">
                            <button type="submit" className="button button--abort">
                              Drop for good
                            </button>
                            <button type="button" className="button button--secondary" onClick={() => setDropping(null)}>
                              Cancel
                            </button>
                          </div>
                        </form>
                      ) : (
                        <div className="row-actions">
                          <button
                            type="button"
                            className="button button--primary"
                            onClick={() => void retry(run)}
                            aria-label={`Retry ${run.serialNumber} to ${run.target}`}
                          >
                            Retry
                          </button>
                          <button
                            type="button"
                            className="button button--secondary"
                            onClick={() => {
                              setReason('');
                              setDropping(key);
                            }}
                            aria-label={`Drop ${run.serialNumber} from ${run.target}`}
                          >
                            Drop…
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
  const client = useStationClient();
  const { sockets } = useStationView();
  const [loaded, setItems] = useState<InstrumentItem[] | null>(null);
  const items = useMemo(() => withLiveState(loaded, sockets), [loaded, sockets]);
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
      } else setError(r.error.message);
    });
    return () => {
      live = false;
    };
  }, [client, reload]);

  const test = async (it: InstrumentItem): Promise<void> => {
    const key = `${it.socket}\u0000${it.name}`;
    setTests((t) => ({ ...t, [key]: 'testing' }));
    const r = await client.invoke('instrument.test', { address: it.address });
    const result: TestResult = r.ok
      ? {
          ok: true,
          text: `${r.value.identity.maker} ${r.value.identity.model}, serial ${r.value.identity.serial}, firmware ${r.value.identity.firmware} · ${Math.round(r.value.roundTripMs)} ms`,
        }
      : { ok: false, text: r.error.message };
    setTests((t) => ({ ...t, [key]: result }));
  };

  return (
    <section className="card supervisor-section" aria-labelledby="instruments-title">
      <div className="section-head">
        <h2 id="instruments-title" className="section-title">
          Instruments
        </h2>
        <button type="button" className="button button--secondary" onClick={load}>
          Refresh
        </button>
      </div>
      <ListMessages error={error} />
      <ListBody items={items} error={error} empty="The loaded procedure uses no instruments.">
        {(items) => (
          <table className="runs" aria-label="Instruments">
            <thead>
              <tr>
                <th scope="col">Instrument</th>
                <th scope="col">Socket</th>
                <th scope="col">Address</th>
                <th scope="col">State</th>
                <th scope="col">Calibration due</th>
                <th scope="col">Connection</th>
              </tr>
            </thead>
            <tbody>
              {items.map((it) => {
                const key = `${it.socket}\u0000${it.name}`;
                const t = tests[key];
                return (
                  <tr key={key}>
                    <th scope="row">
                      <span className="mono">{it.name}</span>
                      <div className="muted small">{it.identity ? `${it.identity.maker} ${it.identity.model} · ${it.identity.serial}` : it.driver}</div>
                    </th>
                    <td className="num">{it.socket + 1}</td>
                    <td className="mono small">{it.address}</td>
                    <td>
                      <span className={it.state === 'disconnected' ? 'tag tag--fail' : undefined}>{it.state}</span>
                      {it.message ? <div className="muted small">{it.message}</div> : null}
                    </td>
                    <td>
                      {it.calibrationDue ? (
                        <span className={it.calibrationOverdue ? 'tag tag--fail' : undefined}>
                          {it.calibrationDue}
                          {it.calibrationOverdue ? ' · past due' : ''}
                        </span>
                      ) : (
                        <span className="muted">not in inventory</span>
                      )}
                    </td>
                    <td>
                      <button
                        type="button"
                        className="button button--secondary"
                        onClick={() => void test(it)}
                        disabled={t === 'testing'}
                        aria-label={`Test connection to ${it.name}${items.some((o) => o !== it && o.name === it.name) ? ` on socket ${it.socket + 1}` : ''}`}
                      >
                        {t === 'testing' ? 'Testing…' : 'Test connection'}
                      </button>
                      {t && t !== 'testing' ? (
                        <div className={t.ok ? 'test-ok' : 'field-error'} role={t.ok ? 'status' : 'alert'}>
                          {t.ok ? `Answered: ${t.text}` : t.text}
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
  const client = useStationClient();
  const [entries, setEntries] = useState<CalibrationEntry[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    void client.invoke('calibration.list', {}).then((r) => {
      if (!live) return;
      if (r.ok) setEntries(r.value.entries);
      else setError(r.error.message);
    });
    return () => {
      live = false;
    };
  }, [client]);
  const today = new Date().toISOString().slice(0, 10);
  return (
    <section className="card supervisor-section" aria-labelledby="calibration-title">
      <h2 id="calibration-title" className="section-title">
        Calibration
      </h2>
      <ListMessages error={error} />
      <ListBody items={entries} error={error} empty="No instrument is in the calibration inventory.">
        {(entries) => (
          <table className="runs" aria-label="Calibration">
            <thead>
              <tr>
                <th scope="col">Instrument</th>
                <th scope="col">Serial</th>
                <th scope="col">Due</th>
                <th scope="col">Note</th>
                <th scope="col">Updated</th>
              </tr>
            </thead>
            <tbody>
              {entries.map((e) => (
                <tr key={`${e.maker}\u0000${e.model}\u0000${e.serial}`}>
                  <th scope="row">
                    {e.maker} {e.model}
                  </th>
                  <td className="mono">{e.serial}</td>
                  <td>{e.dueDate < today ? <span className="tag tag--fail">{e.dueDate} · past due</span> : e.dueDate}</td>
                  <td>{e.note ?? ''}</td>
                  <td className="muted small">
                    {e.updatedAt ? formatDateTime(e.updatedAt) : ''}
                    {e.updatedBy ? ` by ${e.updatedBy}` : ''}
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
