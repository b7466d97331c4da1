import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { shortHash } from '../../components/format.ts';

/** A procedure hash, short, with a button that copies the full value (the title shows it too). */
export function HashChip({ hash }: { hash: string }) {
  const { t } = useTranslation();
  const [copied, setCopied] = useState(false);
  return (
    <span className="hash-chip">
      <code className="mono" title={hash}>
        {shortHash(hash)}
      </code>
      <button
        type="button"
        className="hash-copy"
        aria-label={t('procedures.copyHash', { hash: shortHash(hash) })}
        onClick={() => {
          void navigator.clipboard?.writeText(hash).then(
            () => setCopied(true),
            () => setCopied(false),
          );
        }}
      >
        {copied ? t('procedures.copied') : t('tokens.copy')}
      </button>
    </span>
  );
}
