import { useEffect, useId, useState } from 'react';
import { ListBody, ListMessages } from '../../components/ListState.tsx';
import type { RunUpload, UploadStatus } from '#contract/upload.ts';
import { useStationClient } from '../../api/station-context.tsx';
import { useSession } from '../../api/session-context.tsx';
import { allowed } from '#contract/access.ts';
import { loginHref } from '../../router.ts';
import { formatDateTime, formatDuration } from '../../components/format.ts';
import { useNow } from '../../components/use-now.ts';

interface Props {
  runId: string;
  /** The station's queue status: a new one (upload.queueChanged) means rows may have moved, so this run's are read again. */
  upload: UploadStatus | null;
  /** A running run is queued when it ends: read again then. */
  running: boolean;
}

/**
 * Where this run stands with each upload target (`upload.forRun`): delivered,
 * waiting (which attempt, when the next), parked with the target's reason (a
 * supervisor may send it again, as on the supervisor page), or never queued and why.
 */
export function RunUploads({ runId, upload, running }: Props) {
  const client = useStationClient();
  const [uploads, setUploads] = useState<RunUpload[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [tick, setTick] = useState(0);
  const [notice, setNotice] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    void client.invoke('upload.forRun', { runId }).then((r) => {
      if (!live) return;
      if (r.ok) {
        setUploads(r.value.uploads);
        setError(null);
      } else setError(r.error.message);
    });
    return () => {
      live = false;
    };
  }, [client, runId, upload, running, tick]);

  // "next try in 40 s" counts down while something waits for a time.
  const now = useNow(uploads?.some((u) => u.nextAttemptAt !== null) ?? false, 1000);

  return (
    <section className="card run-uploads" aria-labelledby="uploads-title">
      <div className="run-uploads-head">
        <h2 id="uploads-title" className="section-title">
          Uploads
        </h2>
        {uploads && uploads.length > 0 ? <span className="section-meta">{summaryOf(uploads)}</span> : null}
      </div>
      <ListMessages error={error} notice={notice} />
      <ListBody items={uploads} error={error} empty="No upload target is configured: this run stays on this station.">
        {(uploads) => (
          <table className="runs run-uploads-table" aria-label="Uploads of this run">
            <thead>
              <tr>
                <th scope="col">Target</th>
                <th scope="col">State</th>
                <th scope="col">Details</th>
                <th scope="col">When</th>
              </tr>
            </thead>
            <tbody>
              {uploads.map((u) => (
                <UploadRow
                  key={u.target}
                  runId={runId}
                  upload={u}
                  now={now}
                  onRetried={() => {
                    setNotice(`This run is sent to ${u.target} again.`);
                    setTick((t) => t + 1);
                  }}
                />
              ))}
            </tbody>
          </table>
        )}
      </ListBody>
    </section>
  );
}

function UploadRow({ runId, upload: u, now, onRetried }: { runId: string; upload: RunUpload; now: number; onRetried: () => void }) {
  return (
    <tr className={`upload-row upload-row--${u.state}`}>
      <th scope="row">
        <span className="mono upload-target">{u.target}</span>
        <div className="muted small upload-label">{u.label !== u.target ? u.label : KIND[u.kind]}</div>
        {u.targetState !== 'enabled' ? (
          <span className="tag upload-target-tag">{u.targetState === 'disabled' ? 'disabled in settings' : 'removed from settings'}</span>
        ) : null}
      </th>
      <td>
        <StateBadge upload={u} />
      </td>
      <td className="reason-cell upload-details">
        <Details upload={u} />
        {u.state === 'parked' ? <RetryForm runId={runId} target={u.target} onRetried={onRetried} /> : null}
      </td>
      <td className="upload-when">
        <When upload={u} now={now} />
      </td>
    </tr>
  );
}

const KIND: Record<RunUpload['kind'], string> = { http: 'HTTP', tofupilot: 'TofuPilot', folder: 'Folder', postgres: 'PostgreSQL', unknown: 'Kind unknown' };

const BADGE: Record<RunUpload['state'], { text: string; tone: string; mark?: string }> = {
  delivered: { text: 'Delivered', tone: 'pass', mark: '✓' },
  sending: { text: 'Sending', tone: 'running' },
  queued: { text: 'Waiting', tone: 'waiting' },
  parked: { text: 'Parked', tone: 'fail' },
  dropped: { text: 'Dropped', tone: 'aborted' },
  'not-queued': { text: 'Not queued', tone: 'skip' },
};

function StateBadge({ upload: u }: { upload: RunUpload }) {
  const b = BADGE[u.state];
  // A run that failed and waits to be tried again: amber, not the quiet grey of a fresh queue.
  const tone = u.state === 'queued' && u.attempts > 0 ? 'retry' : b.tone;
  return (
    <>
      <span className={`badge badge--${tone} upload-badge`}>
        {b.text}
        {b.mark ? <span aria-hidden="true"> {b.mark}</span> : null}
      </span>
      {u.state === 'queued' || u.state === 'sending' ? (
        <div className="muted small upload-attempt">{u.attempts === 0 ? 'not tried yet' : `${u.attempts} attempt${u.attempts === 1 ? '' : 's'} failed`}</div>
      ) : null}
    </>
  );
}

function Details({ upload: u }: { upload: RunUpload }) {
  const attempts = `${u.attempts} attempt${u.attempts === 1 ? '' : 's'}`;
  switch (u.state) {
    case 'delivered':
      return (
        <>
          <span>The target has this run{u.attempts > 1 ? ` (after ${attempts})` : ''}.</span>
          {u.remoteRef ? (
            <div className="muted small">
              Its id there: <span className="mono">{u.remoteRef}</span>
            </div>
          ) : null}
        </>
      );
    case 'parked':
      return (
        <>
          <span className="upload-error">{u.lastError ?? 'The target refused this run.'}</span>
          <div className="muted small">Refused after {attempts}. Sending it again gets the same answer until the cause is fixed.</div>
        </>
      );
    case 'queued':
    case 'sending':
      if (u.lastError)
        return (
          <>
            <span className="upload-error">{u.lastError}</span>
            {u.updatedAt ? <div className="muted small">Last attempt {formatDateTime(u.updatedAt)}</div> : null}
          </>
        );
      return (
        <span className="muted">{u.targetState === 'enabled' ? 'Waiting for its first attempt.' : 'Nothing is sent while the target is not in use.'}</span>
      );
    case 'dropped':
      return <span>{u.lastError ?? 'A supervisor gave up this upload.'}</span>;
    case 'not-queued':
      return <span className="muted">{capitalize(u.note ?? 'this run was not queued for this target')}.</span>;
  }
}

function When({ upload: u, now }: { upload: RunUpload; now: number }) {
  switch (u.state) {
    case 'delivered':
      return u.deliveredAt ? <Stamp label="Delivered" iso={u.deliveredAt} /> : <span className="muted">—</span>;
    case 'parked':
      return u.updatedAt ? <Stamp label="Parked" iso={u.updatedAt} /> : <span className="muted">—</span>;
    case 'dropped':
      return u.updatedAt ? <Stamp label="Dropped" iso={u.updatedAt} /> : <span className="muted">—</span>;
    case 'sending':
      return <Stamp label="Sending" text="now" />;
    case 'queued': {
      if (u.targetState !== 'enabled') return <Stamp label="Next try" text="none" sub={`target ${u.targetState === 'disabled' ? 'disabled' : 'removed'}`} />;
      if (!u.nextAttemptAt) return <Stamp label="Next try" text="now" />;
      const left = Date.parse(u.nextAttemptAt) - now;
      return <Stamp label="Next try" iso={u.nextAttemptAt} sub={left >= 1000 ? `in ${inWords(left)}` : 'any moment'} />;
    }
    case 'not-queued':
      return <span className="muted">—</span>;
  }
}

/** A labelled time: the clock large, the day (or what is left until it) below. */
function Stamp({ label, iso, text, sub }: { label: string; iso?: string; text?: string; sub?: string }) {
  const full = iso ? formatDateTime(iso) : '';
  return (
    <>
      <div className="upload-when-label">{label}</div>
      <div className="upload-when-time">{iso ? <time dateTime={iso}>{full.slice(11)}</time> : text}</div>
      {sub || iso ? <div className="muted small upload-when-sub">{sub ?? full.slice(0, 10)}</div> : null}
    </>
  );
}

/** The section's one-line verdict: "Delivered to 2 of 3 targets · 1 parked". */
function summaryOf(uploads: readonly RunUpload[]): string {
  const count = (s: RunUpload['state']): number => uploads.filter((u) => u.state === s).length;
  const relevant = uploads.filter((u) => u.state !== 'not-queued' && u.state !== 'dropped').length;
  if (relevant === 0) return 'Not queued for any target';
  const parts = [`Delivered to ${count('delivered')} of ${relevant} target${relevant === 1 ? '' : 's'}`];
  const waiting = count('queued') + count('sending');
  if (waiting) parts.push(`${waiting} waiting`);
  if (count('parked')) parts.push(`${count('parked')} parked`);
  return parts.join(' · ');
}

/** "40 s", "2 min 05 s": whole seconds, counting down. */
const inWords = (ms: number): string => {
  const s = Math.ceil(ms / 1000);
  return s < 60 ? `${s} s` : formatDuration(s * 1000);
};

const capitalize = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

/** A parked upload sent again (`upload.retry`, audited by the station under the session's name). */
function RetryForm({ runId, target, onRetried }: { runId: string; target: string; onRetried: () => void }) {
  const client = useStationClient();
  const { state } = useSession();
  const id = useId();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  if (!state || !allowed(state.session, 'upload.retry').ok) {
    return (
      <span className="muted small upload-retry-note">
        A supervisor can send it again: <a href={loginHref(location.hash.replace(/^#/, '') || '/')}>log in</a>
      </span>
    );
  }

  const submit = async (): Promise<void> => {
    setBusy(true);
    const r = await client.invoke('upload.retry', { target, runIds: [runId] });
    setBusy(false);
    if (!r.ok) {
      setError(r.error.message);
      return;
    }
    setError(null);
    onRetried();
  };

  return (
    <div className="upload-retry-form">
      <button
        type="button"
        className="button button--secondary upload-retry"
        disabled={busy}
        onClick={() => void submit()}
        aria-label={`Retry upload to ${target}`}
        aria-describedby={error ? `${id}-error` : undefined}
      >
        {busy ? 'Sending…' : 'Retry'}
      </button>
      {error ? (
        <span className="field-error" id={`${id}-error`} role="alert">
          {error}
        </span>
      ) : null}
    </div>
  );
}
