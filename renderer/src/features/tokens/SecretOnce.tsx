import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { TokenInfo } from '#contract/auth.ts';

/** A new token's secret, shown this once: the station keeps only its hash. */
export function SecretOnce({ token, secret, onDone }: { token: TokenInfo; secret: string; onDone: () => void }) {
  const { t } = useTranslation();
  const [copied, setCopied] = useState<'yes' | 'failed' | null>(null);
  const field = useRef<HTMLInputElement>(null);
  const heading = useRef<HTMLHeadingElement>(null);

  useEffect(() => {
    heading.current?.focus();
  }, []);

  const copy = async (): Promise<void> => {
    try {
      await navigator.clipboard.writeText(secret);
      setCopied('yes');
    } catch {
      // No clipboard (an insecure origin): the secret is selected for Ctrl+C.
      field.current?.select();
      setCopied('failed');
    }
  };

  return (
    <section className="card secret-once" aria-labelledby="secret-title">
      <h2 id="secret-title" className="secret-once-title" ref={heading} tabIndex={-1}>
        {t('tokens.created', { name: token.name })}
      </h2>
      <p className="secret-once-warning" role="alert">
        {t('tokens.copyNow')}
      </p>
      <div className="secret-once-row">
        <label className="sr-only" htmlFor="token-secret">
          {t('tokens.secretOf', { name: token.name })}
        </label>
        <input
          id="token-secret"
          ref={field}
          className="secret-once-value"
          readOnly
          value={secret}
          onFocus={(e) => e.currentTarget.select()}
          spellCheck={false}
        />
        <button type="button" className="button button--primary" onClick={() => void copy()}>
          {t('tokens.copy')}
        </button>
      </div>
      <p className="secret-once-meta" role="status">
        {copied === 'yes' ? t('tokens.copied') : copied === 'failed' ? t('tokens.noClipboard') : t('tokens.scopeIs', { scope: token.scope })}
      </p>
      <button type="button" className="button button--secondary" onClick={onDone}>
        {t('tokens.stored')}
      </button>
    </section>
  );
}
