import { useEffect, useId, useState } from 'react';
import { Trans, useTranslation } from 'react-i18next';
import type { TFunction } from 'i18next';
import type { StationError } from '#contract/errors.ts';
import { errorText } from '../../i18n/errors.ts';
import { useFormat } from '../../i18n/use-format.ts';
import type { Formatter } from '../../components/format.ts';
import { ListBody, ListMessages } from '../../components/ListState.tsx';
import type { RunUpload, UploadStatus } from '#contract/upload.ts';
import { useStationClient } from '../../api/station-context.tsx';
import { useSession } from '../../api/session-context.tsx';
import { allowed } from '#contract/access.ts';
import { loginHref } from '../../router.ts';
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
  const { t } = useTranslation();
  const f = useFormat();
  const client = useStationClient();
  const [uploads, setUploads] = useState<RunUpload[] | null>(null);
  const [error, setError] = useState<StationError | null>(null);
  const [tick, setTick] = useState(0);
  const [notice, setNotice] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    void client.invoke('upload.forRun', { runId }).then((r) => {
      if (!live) return;
      if (r.ok) {
        setUploads(r.value.uploads);
        setError(null);
      } else setError(r.error);
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
          {t('uploads.title')}
        </h2>
        {uploads && uploads.length > 0 ? <span className="section-meta">{summaryOf(t, f, uploads)}</span> : null}
      </div>
      <ListMessages error={error ? errorText(t, error) : null} notice={notice} />
      <ListBody items={uploads} error={error ? errorText(t, error) : null} empty={t('uploads.none')}>
        {(uploads) => (
          <table className="runs run-uploads-table" aria-label={t('uploads.label')}>
            <thead>
              <tr>
                <th scope="col">{t('uploads.target')}</th>
                <th scope="col">{t('uploads.state')}</th>
                <th scope="col">{t('uploads.details')}</th>
                <th scope="col">{t('uploads.when')}</th>
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
                    setNotice(t('uploads.sentAgain', { target: u.target }));
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
  const { t } = useTranslation();
  return (
    <tr className={`upload-row upload-row--${u.state}`}>
      <th scope="row">
        <span className="mono upload-target">{u.target}</span>
        <div className="muted small upload-label">{u.label !== u.target ? u.label : t(KIND[u.kind])}</div>
        {u.targetState !== 'enabled' ? (
          <span className="tag upload-target-tag">{u.targetState === 'disabled' ? t('uploads.disabledInSettings') : t('uploads.removedFromSettings')}</span>
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

const KIND = {
  http: 'uploads.kindHttp',
  tofupilot: 'uploads.kindTofupilot',
  folder: 'uploads.kindFolder',
  postgres: 'uploads.kindPostgres',
  unknown: 'uploads.kindUnknown',
} as const satisfies Record<RunUpload['kind'], string>;

const BADGE = {
  delivered: { text: 'uploads.delivered', tone: 'pass', mark: '✓' },
  sending: { text: 'uploads.sending', tone: 'running' },
  queued: { text: 'uploads.waiting', tone: 'waiting' },
  parked: { text: 'uploads.parked', tone: 'fail' },
  dropped: { text: 'uploads.dropped', tone: 'aborted' },
  'not-queued': { text: 'uploads.notQueued', tone: 'skip' },
} as const satisfies Record<RunUpload['state'], { text: string; tone: string; mark?: string }>;

function StateBadge({ upload: u }: { upload: RunUpload }) {
  const { t } = useTranslation();
  const b: { text: (typeof BADGE)[keyof typeof BADGE]['text']; tone: string; mark?: string } = BADGE[u.state];
  // A run that failed and waits to be tried again: amber, not the quiet grey of a fresh queue.
  const tone = u.state === 'queued' && u.attempts > 0 ? 'retry' : b.tone;
  return (
    <>
      <span className={`badge badge--${tone} upload-badge`}>
        {t(b.text)}
        {b.mark ? <span aria-hidden="true"> {b.mark}</span> : null}
      </span>
      {u.state === 'queued' || u.state === 'sending' ? (
        <div className="muted small upload-attempt">{u.attempts === 0 ? t('uploads.notTried') : t('uploads.attemptsFailed', { count: u.attempts })}</div>
      ) : null}
    </>
  );
}

function Details({ upload: u }: { upload: RunUpload }) {
  const { t } = useTranslation();
  const f = useFormat();
  switch (u.state) {
    case 'delivered':
      return (
        <>
          <span>{u.attempts > 1 ? t('uploads.hasItAfter', { count: u.attempts }) : t('uploads.hasIt')}</span>
          {u.remoteRef ? (
            <div className="muted small">
              <Trans i18nKey="uploads.remoteRef" values={{ ref: u.remoteRef }} components={{ ref: <span className="mono" /> }} />
            </div>
          ) : null}
        </>
      );
    case 'parked':
      return (
        <>
          {/* The target's own answer, as it gave it. */}
          <span className="upload-error">{u.lastError ?? t('uploads.refused')}</span>
          <div className="muted small">{t('uploads.refusedAfter', { count: u.attempts })}</div>
        </>
      );
    case 'queued':
    case 'sending':
      if (u.lastError)
        return (
          <>
            <span className="upload-error">{u.lastError}</span>
            {u.updatedAt ? <div className="muted small">{t('uploads.lastAttempt', { when: f.dateTime(u.updatedAt) })}</div> : null}
          </>
        );
      return <span className="muted">{u.targetState === 'enabled' ? t('uploads.firstAttempt') : t('uploads.notInUse')}</span>;
    case 'dropped':
      return <span>{u.lastError ?? t('uploads.gaveUp')}</span>;
    case 'not-queued':
      return <span className="muted">{u.note ? `${capitalize(u.note)}.` : t('uploads.notQueuedWhy')}</span>;
  }
}

function When({ upload: u, now }: { upload: RunUpload; now: number }) {
  const { t } = useTranslation();
  const f = useFormat();
  switch (u.state) {
    case 'delivered':
      return u.deliveredAt ? <Stamp label={t('uploads.delivered')} iso={u.deliveredAt} /> : <span className="muted">—</span>;
    case 'parked':
      return u.updatedAt ? <Stamp label={t('uploads.parked')} iso={u.updatedAt} /> : <span className="muted">—</span>;
    case 'dropped':
      return u.updatedAt ? <Stamp label={t('uploads.dropped')} iso={u.updatedAt} /> : <span className="muted">—</span>;
    case 'sending':
      return <Stamp label={t('uploads.sending')} text={t('uploads.now')} />;
    case 'queued': {
      if (u.targetState !== 'enabled')
        return (
          <Stamp
            label={t('uploads.nextTry')}
            text={t('uploads.noTry')}
            sub={u.targetState === 'disabled' ? t('uploads.targetDisabled') : t('uploads.targetRemoved')}
          />
        );
      if (!u.nextAttemptAt) return <Stamp label={t('uploads.nextTry')} text={t('uploads.now')} />;
      const left = Date.parse(u.nextAttemptAt) - now;
      return (
        <Stamp label={t('uploads.nextTry')} iso={u.nextAttemptAt} sub={left >= 1000 ? t('uploads.in', { time: f.countdown(left) }) : t('uploads.anyMoment')} />
      );
    }
    case 'not-queued':
      return <span className="muted">—</span>;
  }
}

/** A labelled time: the clock large, the day (or what is left until it) below. */
function Stamp({ label, iso, text, sub }: { label: string; iso?: string; text?: string; sub?: string }) {
  const f = useFormat();
  return (
    <>
      <div className="upload-when-label">{label}</div>
      <div className="upload-when-time">{iso ? <time dateTime={iso}>{f.time(iso)}</time> : text}</div>
      {sub || iso ? <div className="muted small upload-when-sub">{sub ?? f.date(iso)}</div> : null}
    </>
  );
}

/** The section's one-line verdict: "Delivered to 2 of 3 targets · 1 parked". */
function summaryOf(t: TFunction, f: Formatter, uploads: readonly RunUpload[]): string {
  const count = (s: RunUpload['state']): number => uploads.filter((u) => u.state === s).length;
  const relevant = uploads.filter((u) => u.state !== 'not-queued' && u.state !== 'dropped').length;
  if (relevant === 0) return t('uploads.summaryNone');
  const parts = [t('uploads.summary', { n: f.count(count('delivered')), count: relevant })];
  const waiting = count('queued') + count('sending');
  if (waiting) parts.push(t('header.uploadsWaiting', { n: f.count(waiting) }));
  if (count('parked')) parts.push(t('header.uploadsParked', { n: f.count(count('parked')) }));
  return parts.join(' · ');
}

const capitalize = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

/** A parked upload sent again (`upload.retry`, audited by the station under the session's name). */
function RetryForm({ runId, target, onRetried }: { runId: string; target: string; onRetried: () => void }) {
  const { t } = useTranslation();
  const client = useStationClient();
  const { state } = useSession();
  const id = useId();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  if (!state || !allowed(state.session, 'upload.retry').ok) {
    return (
      <span className="muted small upload-retry-note">
        <Trans
          i18nKey="uploads.supervisorCan"
          // eslint-disable-next-line jsx-a11y/anchor-has-content -- Trans puts the words into the link.
          components={{ login: <a href={loginHref(location.hash.replace(/^#/, '') || '/')} /> }}
        />
      </span>
    );
  }

  const submit = async (): Promise<void> => {
    setBusy(true);
    const r = await client.invoke('upload.retry', { target, runIds: [runId] });
    setBusy(false);
    if (!r.ok) {
      setError(errorText(t, r.error));
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
        aria-label={t('uploads.retryLabel', { target })}
        aria-describedby={error ? `${id}-error` : undefined}
      >
        {busy ? t('uploads.sendingNow') : t('uploads.retry')}
      </button>
      {error ? (
        <span className="field-error" id={`${id}-error`} role="alert">
          {error}
        </span>
      ) : null}
    </div>
  );
}
