import { useState } from 'react';
import type { AuditVerify } from '#contract/audit.ts';
import { useStationClient } from '../../api/station-context.tsx';

/** Recomputes the chain on the station: intact, or the first entry that does not match and why. */
export function VerifyChain() {
  const client = useStationClient();
  const [result, setResult] = useState<AuditVerify | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const verify = async (): Promise<void> => {
    setBusy(true);
    const r = await client.invoke('audit.verify', {});
    setBusy(false);
    if (r.ok) {
      setResult(r.value);
      setError(null);
    } else setError(r.error.message);
  };

  const lost = result?.gaps.reduce((n, g) => n + g.count, 0) ?? 0;
  return (
    <>
      <button type="button" className="button button--secondary" disabled={busy} onClick={() => void verify()}>
        {busy ? 'Verifying…' : 'Verify chain'}
      </button>
      {error || result ? (
        <div className={`audit-verdict audit-verdict--${error ? 'error' : result!.ok ? 'ok' : 'bad'}`} role={result?.ok ? 'status' : 'alert'}>
          {error ? (
            <strong>Could not verify: {error}</strong>
          ) : result!.ok ? (
            <>
              <strong>Trail intact — {result!.entries} entries</strong>
              <span>Every entry matches the hash of the one before it.</span>
            </>
          ) : (
            <>
              <strong>
                Broken at entry {result!.firstBad?.seq}: {result!.firstBad?.reason}
              </strong>
              <span>Entries from there on cannot be trusted as written. {result!.entries} entries were checked.</span>
            </>
          )}
          {result && lost > 0 ? (
            <span>
              {lost} {lost === 1 ? 'entry was' : 'entries were'} lost in a database repair (
              {result.gaps.map((g) => `after ${g.afterSeq}: ${g.count}`).join('; ')}); they are listed, not a break.
            </span>
          ) : null}
        </div>
      ) : null}
    </>
  );
}
