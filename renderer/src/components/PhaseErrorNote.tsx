import { Trans, useTranslation } from 'react-i18next';
import type { PhaseError } from '#contract/records.ts';
import { phaseErrorLabel } from '../i18n/limits-text.ts';
import { recordedText } from '../i18n/record-text.ts';
import { useFormat } from '../i18n/use-format.ts';

/**
 * Why a phase did not finish as it should: what happened, in words, and where in the
 * procedure's code ("phases.ts:12"), so the test engineer opens the right line. The run
 * page adds the stack.
 */
export function PhaseErrorNote({ error, showStack = false }: { error: PhaseError; showStack?: boolean }) {
  const { t } = useTranslation();
  const f = useFormat();
  return (
    <div className="phase-error">
      <strong>{t('phaseError.label', { label: phaseErrorLabel(t, error.kind) })}</strong> {recordedText(t, f, error.message)}
      {error.source ? (
        <span className="phase-error-source">
          {' '}
          <Trans i18nKey="phaseError.at" values={{ source: error.source }} components={{ source: <code className="mono" /> }} />
        </span>
      ) : null}
      {showStack && error.stack ? (
        <details>
          <summary>{t('phaseError.stack')}</summary>
          <pre>{error.stack}</pre>
        </details>
      ) : null}
    </div>
  );
}
