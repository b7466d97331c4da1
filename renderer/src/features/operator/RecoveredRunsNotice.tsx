import { useState } from 'react';
import { Trans, useTranslation } from 'react-i18next';
import type { StationSnapshot } from '#contract/commands.ts';
import { runHref } from '../../router.ts';

type Recovered = StationSnapshot['recoveredRuns'];

/**
 * After a restart: which unit's run the stop cut off, on which socket and in which phase,
 * so the operator tests it again. Stays until the operator has read it (OK).
 */
export function RecoveredRunsNotice({ runs }: { runs: Recovered }) {
  const { t } = useTranslation();
  const [read, setRead] = useState<ReadonlySet<string>>(new Set());
  const open = runs.filter((r) => !read.has(r.runId));
  if (open.length === 0) return null;
  return (
    <section className="recovered-notice" role="alert" aria-labelledby="recovered-notice-title">
      <h2 id="recovered-notice-title">{t('operator.recoveredTitle', { count: open.length })}</h2>
      <ul>
        {open.map((r) => (
          <li key={r.runId}>
            <Trans
              i18nKey={r.phase ? 'operator.recoveredRunPhase' : 'operator.recoveredRun'}
              values={{ serial: r.serialNumber, socket: r.socket + 1, phase: r.phase }}
              components={{
                // eslint-disable-next-line jsx-a11y/anchor-has-content -- Trans puts the serial into the link.
                run: <a className="mono recovered-serial" href={runHref(r.runId)} />,
                phase: <span className="mono" />,
              }}
            />
          </li>
        ))}
      </ul>
      <button type="button" className="button button--secondary" onClick={() => setRead(new Set(runs.map((r) => r.runId)))}>
        {t('prompt.ok')}
      </button>
    </section>
  );
}
