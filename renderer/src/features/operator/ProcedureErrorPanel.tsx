import { useTranslation } from 'react-i18next';
import type { StationError } from '#contract/errors.ts';
import { errorText } from '../../i18n/errors.ts';

/** The station has no runnable procedure: say why, with file:line, instead of asking for a serial. */
export function ProcedureErrorPanel({ error }: { error: StationError }) {
  const { t } = useTranslation();
  return (
    <section className="procedure-error" role="alert" aria-labelledby="procedure-error-title">
      <h2 id="procedure-error-title">{t('procedure.errorTitle')}</h2>
      <p>{t('procedure.errorText')}</p>
      {/* A load error names a file and line in the test engineer's words; a station fault (a full disk) has a key. */}
      <pre className="procedure-error-message">{errorText(t, error)}</pre>
      <p className="procedure-error-kind mono">{error.kind}</p>
    </section>
  );
}
