import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { StationError } from '#contract/errors.ts';
import { errorText } from '../../i18n/errors.ts';
import type { AuditVerify } from '#contract/audit.ts';
import { useStationClient } from '../../api/station-context.tsx';

/** Recomputes the chain on the station: intact, or the first entry that does not match and why. */
export function VerifyChain() {
  const { t } = useTranslation();
  const client = useStationClient();
  const [result, setResult] = useState<AuditVerify | null>(null);
  const [error, setError] = useState<StationError | null>(null);
  const [busy, setBusy] = useState(false);

  const verify = async (): Promise<void> => {
    setBusy(true);
    const r = await client.invoke('audit.verify', {});
    setBusy(false);
    if (r.ok) {
      setResult(r.value);
      setError(null);
    } else setError(r.error);
  };

  const lost = result?.gaps.reduce((n, g) => n + g.count, 0) ?? 0;
  return (
    <>
      <button type="button" className="button button--secondary" disabled={busy} onClick={() => void verify()}>
        {busy ? t('audit.verifying') : t('audit.verify')}
      </button>
      {error || result ? (
        <div className={`audit-verdict audit-verdict--${error ? 'error' : result!.ok ? 'ok' : 'bad'}`} role={result?.ok ? 'status' : 'alert'}>
          {error ? (
            <strong>{t('audit.couldNotVerify', { error: errorText(t, error) })}</strong>
          ) : result!.ok ? (
            <>
              <strong>{t('audit.intact', { count: result!.entries })}</strong>
              <span>{t('audit.intactText')}</span>
            </>
          ) : (
            <>
              {/* The reason is the chain check's own technical words (which hash, which field). */}
              <strong>{t('audit.broken', { seq: result!.firstBad?.seq, reason: result!.firstBad?.reason })}</strong>
              <span>{t('audit.brokenText', { count: result!.entries })}</span>
            </>
          )}
          {result && lost > 0 ? (
            <span>{t('audit.lost', { count: lost, gaps: result.gaps.map((g) => t('audit.gap', { after: g.afterSeq, count: g.count })).join('; ') })}</span>
          ) : null}
        </div>
      ) : null}
    </>
  );
}
