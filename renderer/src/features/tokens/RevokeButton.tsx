import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { errorText } from '../../i18n/errors.ts';
import type { TokenInfo } from '#contract/auth.ts';
import { useStationClient } from '../../api/station-context.tsx';

/** Revoke…, then a confirmation in place: a revoked token cannot be brought back. */
export function RevokeButton({ token, onRevoked, onError }: { token: TokenInfo; onRevoked: () => void; onError: (m: string) => void }) {
  const { t } = useTranslation();
  const client = useStationClient();
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState(false);
  const confirm = useRef<HTMLButtonElement>(null);
  // The confirmation takes the focus: Enter revokes, Tab reaches Cancel.
  useEffect(() => {
    if (asking) confirm.current?.focus();
  }, [asking]);
  if (!asking) {
    return (
      <button
        type="button"
        className="button button--secondary token-action"
        aria-label={t('tokens.revokeLabel', { name: token.name })}
        onClick={() => setAsking(true)}
      >
        {t('tokens.revoke')}
      </button>
    );
  }
  const revoke = async (): Promise<void> => {
    setBusy(true);
    const r = await client.invoke('tokens.revoke', { id: token.id });
    setBusy(false);
    setAsking(false);
    if (r.ok) onRevoked();
    else onError(errorText(t, r.error));
  };
  return (
    <div className="token-confirm" role="group" aria-label={t('tokens.revokeAsk', { name: token.name })}>
      <span className="token-confirm-text">{t('tokens.revokeWarning')}</span>
      <div className="row-actions">
        <button type="button" className="button button--danger token-action" disabled={busy} onClick={() => void revoke()} ref={confirm}>
          {t('tokens.revokeLabel', { name: token.name })}
        </button>
        <button type="button" className="button button--secondary token-action" onClick={() => setAsking(false)}>
          {t('common.cancel')}
        </button>
      </div>
    </div>
  );
}
