import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { errorText } from '../../i18n/errors.ts';
import type { StationError } from '#contract/errors.ts';
import type { Override } from '#contract/commands.ts';

/** Refusals that someone may lift: the operator by confirming, or a supervisor by badge and PIN. */
export const APPROVABLE = new Set<StationError['kind']>(['retest.already-passed', 'retest.limit-reached', 'calibration.overdue']);

export interface Refusal {
  serialNumber: string;
  error: StationError;
}

export type RetryWith = { confirmRetest: true } | { override: Override };

interface Props {
  refusal: Refusal;
  /** Starts the same serial again with the confirmation or approval; resolves to the station's refusal, if any. */
  onRetry(extra: RetryWith): Promise<StationError | null>;
  onCancel(): void;
}

/** Shown under the serial field when the station refused a start that can be confirmed or approved. */
export function ApprovalPanel({ refusal, onRetry, onCancel }: Props) {
  const { t } = useTranslation();
  const [badge, setBadge] = useState('');
  const [pin, setPin] = useState('');
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const first = useRef<HTMLButtonElement>(null);
  const retest = refusal.error.kind === 'retest.already-passed';
  const id = `approval-${refusal.serialNumber}`;

  // A retest is the operator's own decision: the confirm button takes the focus so Enter confirms.
  // Two frames: after the serial field's own refocus on a refusal (SerialForm, one frame).
  useEffect(() => {
    if (!retest) return;
    let inner = 0;
    const outer = requestAnimationFrame(() => {
      inner = requestAnimationFrame(() => first.current?.focus());
    });
    return () => {
      cancelAnimationFrame(outer);
      cancelAnimationFrame(inner);
    };
  }, [retest, refusal]);

  const submit = async (extra: RetryWith): Promise<void> => {
    setBusy(true);
    const err = await onRetry(extra);
    setBusy(false);
    // The start's refusal comes already in words (SocketPanel); a bad badge or PIN too.
    setError(err ? err.message : null);
    // A refused PIN is not left in the field.
    if (err) setPin('');
  };

  return (
    <section className="card approval" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`} className="approval-title">
        {retest ? t('approval.retestTitle') : t('approval.title')}
      </h2>
      <p className="approval-text">{errorText(t, refusal.error)}</p>
      {retest ? (
        <div className="row-actions">
          <button ref={first} type="button" className="button button--primary" disabled={busy} onClick={() => void submit({ confirmRetest: true })}>
            {t('approval.testAgain')}
          </button>
          <button type="button" className="button button--secondary" onClick={onCancel}>
            {t('common.cancel')}
          </button>
        </div>
      ) : (
        <form
          className="approval-form"
          onSubmit={(e) => {
            e.preventDefault();
            const supervisorId = badge.trim();
            if (!supervisorId) {
              setError(t('approval.badgeMissing'));
              return;
            }
            if (!pin) {
              setError(t('approval.pinMissing'));
              return;
            }
            const why = reason.trim();
            void submit({ override: { supervisorId, pin, ...(why ? { reason: why } : {}) } });
          }}
        >
          <div className="filter">
            <label htmlFor={`${id}-badge`}>{t('approval.badge')}</label>
            <input
              id={`${id}-badge`}
              value={badge}
              onChange={(e) => setBadge(e.target.value)}
              autoComplete="off"
              spellCheck={false}
              aria-invalid={error ? true : undefined}
              aria-describedby={error ? `${id}-error` : undefined}
            />
          </div>
          <div className="filter">
            <label htmlFor={`${id}-pin`}>{t('approval.pin')}</label>
            <input
              id={`${id}-pin`}
              type="password"
              value={pin}
              onChange={(e) => setPin(e.target.value)}
              autoComplete="off"
              maxLength={64}
              aria-invalid={error ? true : undefined}
              aria-describedby={error ? `${id}-error` : undefined}
            />
          </div>
          <div className="filter">
            <label htmlFor={`${id}-reason`}>{t('approval.reason')}</label>
            <input id={`${id}-reason`} value={reason} onChange={(e) => setReason(e.target.value)} maxLength={500} />
          </div>
          <div className="row-actions approval-actions">
            <button type="submit" className="button button--primary" disabled={busy}>
              {t('approval.approve')}
            </button>
            <button type="button" className="button button--secondary" onClick={onCancel}>
              {t('common.cancel')}
            </button>
          </div>
        </form>
      )}
      {error ? (
        <p className="field-error" id={`${id}-error`} role="alert">
          {error}
        </p>
      ) : null}
    </section>
  );
}
